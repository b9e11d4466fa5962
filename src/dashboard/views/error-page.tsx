import type { FC } from "hono/jsx";
import { Layout } from "./layout.js";

/** An action that could not be done, or a page that does not exist: what happened and where to go. */
export const ErrorPage: FC<{
  title: string;
  message: string;
  hint?: string | undefined;
  details?: string[] | undefined;
  back?: string | undefined;
  csrf?: string | undefined;
}> = ({ title, message, hint, details, back, csrf }) => (
  <Layout title={title} csrf={csrf}>
    <section class="card narrow">
      <h1>{title}</h1>
      <p class="notice bad" role="alert">
        {message}
      </p>
      {hint && <p>{hint}</p>}
      {details && details.length > 0 && <pre class="log">{details.join("\n")}</pre>}
      <p>
        <a class="button" href={back ?? "/dashboard"}>
          Back
        </a>
      </p>
    </section>
  </Layout>
);
