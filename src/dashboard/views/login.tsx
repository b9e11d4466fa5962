import type { FC } from "hono/jsx";
import { Layout } from "./layout.js";

export const LoginPage: FC<{ loginCsrf: string; next: string; message?: string | undefined }> = ({
  loginCsrf,
  next,
  message,
}) => (
  <Layout title="Log in">
    <section class="card narrow">
      <h1>Log in to the dashboard</h1>
      {message && (
        <p class="notice bad" role="alert">
          {message}
        </p>
      )}
      <p>
        Run <code>skiff dashboard</code> where your CLI is set up: it opens a one-time login link. Or log in
        with the agent's API token (in <code>DATA_DIR/token</code> on the server).
      </p>
      <form method="post" action="/dashboard/login" class="stack">
        <input type="hidden" name="_csrf" value={loginCsrf} />
        <input type="hidden" name="next" value={next} />
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          autofocus
          spellcheck={false}
        />
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
    </section>
  </Layout>
);

/**
 * After a login link: a page that moves on by itself. Not a redirect: a login link opened from another
 * site (a chat, a mail) would carry its cross-site origin through the redirect, and the browser would
 * hold back the SameSite=Strict cookie just set; a navigation started by this page is same-site.
 */
export const LoggedInPage: FC<{ next: string }> = ({ next }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta http-equiv="refresh" content={`0;url=${next}`} />
      <title>Logged in · skiff</title>
    </head>
    <body>
      <p>
        Logged in. <a href={next}>Continue to the dashboard</a>.
      </p>
    </body>
  </html>
);
