import { ALNUM, ALNUM_LOWER, ALNUM_UPPER, BASE64, BASE64URL, DIGITS, HEX, PAD } from "../charsets.js";
import { keyed } from "../keyed-rule.js";
import { chars, lit, type SecretRule } from "../rule.js";
import { token } from "../token-rule.js";
import { SECRET_NAME, UUID } from "./shapes.js";

/** Monitoring, analytics, auth, productivity and social platforms. */
export const saasRules: SecretRule[] = [
  keyed("datadog-api-key", "Datadog API key", {
    keywords: ["datadog", "dd_api"],
    nameMust: ["api"],
    key: "dd_api_key",
    value: [chars(HEX, 32)],
  }),
  keyed("datadog-app-key", "Datadog application key", {
    keywords: ["datadog", "dd_app"],
    nameMust: ["app"],
    key: "dd_app_key",
    value: [chars(HEX, 40)],
  }),
  // `sntrys_`, base64 JSON (the org, its URLs), its padding, `_`, then the 43-character secret.
  token("sentry-org-token", "Sentry organization auth token", [
    lit("sntrys_eyJ"),
    chars(BASE64, 80, 300),
    chars(PAD, 0, 2),
    lit("_"),
    chars(BASE64, 43),
  ]),
  token("sentry-user-token", "Sentry user auth token", [lit("sntryu_"), chars(HEX, 64)]),
  token("newrelic-user-api-key", "New Relic user API key", [lit("NRAK-"), chars(ALNUM_UPPER, 27)]),
  token("newrelic-insert-key", "New Relic insights insert key", [lit("NRII-"), chars(BASE64URL, 32)]),
  token("newrelic-browser-api-token", "New Relic browser API token", [lit("NRJS-"), chars(HEX, 19)]),
  token("grafana-cloud-token", "Grafana Cloud API token", [lit("glc_"), chars(BASE64, 32, 400)]),
  token("grafana-service-account-token", "Grafana service account token", [
    lit("glsa_"),
    chars(ALNUM, 32),
    lit("_"),
    chars(HEX, 8),
  ]),
  token("grafana-api-key", "Grafana API key", [lit("eyJrIjoi"), chars(BASE64, 70, 400)]),
  token("dynatrace-api-token", "Dynatrace API token", [
    lit("dt0c01."),
    chars(ALNUM_UPPER, 24),
    lit("."),
    chars(ALNUM_UPPER, 64),
  ]),
  keyed("honeycomb-api-key", "Honeycomb API key", {
    keywords: ["honeycomb"],
    key: "honeycomb_api_key",
    value: [chars(ALNUM, 22)],
  }),
  keyed("sumologic-access-key", "Sumo Logic access key", {
    keywords: ["sumologic", "sumo_logic", "sumo_access"],
    nameMust: ["key", "secret"],
    key: "sumologic_access_key",
    value: [chars(ALNUM, 64)],
  }),
  keyed("sumologic-access-id", "Sumo Logic access ID", {
    keywords: ["sumo", "sumologic"],
    key: "sumologic_access_id",
    value: [lit("su"), chars(ALNUM, 12)],
  }),
  keyed("sidekiq-secret", "Sidekiq Enterprise / Pro credentials", {
    keywords: ["contribsys__com", "contribsys.com"],
    key: "BUNDLE_ENTERPRISE__CONTRIBSYS__COM",
    value: [chars(HEX, 8), lit(":"), chars(HEX, 8)],
    minEntropy: 2,
  }),
  keyed("launchdarkly-key", "LaunchDarkly SDK or API key", {
    keywords: ["launchdarkly", "launch_darkly", "ld_sdk", "ld_api"],
    key: "launchdarkly_sdk_key",
    value: [lit("api-", "sdk-"), ...UUID],
  }),
  keyed("bugsnag-api-key", "Bugsnag API key", {
    keywords: ["bugsnag"],
    key: "bugsnag_api_key",
    value: [chars(HEX, 32)],
  }),
  keyed("rollbar-access-token", "Rollbar access token", {
    keywords: ["rollbar"],
    key: "rollbar_access_token",
    value: [chars(HEX, 32)],
  }),
  keyed("pagerduty-api-key", "PagerDuty API key", {
    keywords: ["pagerduty", "pager_duty"],
    nameMust: ["key", "token"],
    key: "pagerduty_api_key",
    value: [chars(BASE64URL, 20)],
  }),
  keyed("opsgenie-api-key", "Opsgenie API key", {
    keywords: ["opsgenie"],
    key: "opsgenie_api_key",
    value: UUID,
  }),
  token("segment-public-api-token", "Segment public API token", [lit("sgp_"), chars(ALNUM, 64)]),
  keyed("mixpanel-api-secret", "Mixpanel API secret", {
    keywords: ["mixpanel"],
    nameMust: ["secret"],
    key: "mixpanel_api_secret",
    value: [chars(HEX, 32)],
  }),
  keyed("amplitude-secret-key", "Amplitude secret key", {
    keywords: ["amplitude"],
    nameMust: ["secret"],
    key: "amplitude_secret_key",
    value: [chars(HEX, 32)],
  }),
  keyed("algolia-admin-key", "Algolia admin API key", {
    keywords: ["algolia"],
    nameMust: ["admin", "key", "secret"],
    key: "algolia_admin_key",
    value: [chars(HEX, 32)],
  }),
  keyed("okta-api-token", "Okta API token", {
    keywords: ["okta"],
    nameMust: ["token", "key"],
    key: "okta_api_token",
    value: [lit("00"), chars(BASE64URL, 40)],
  }),
  keyed("auth0-client-secret", "Auth0 client secret", {
    keywords: ["auth0"],
    nameMust: ["secret"],
    key: "auth0_client_secret",
    value: [chars(BASE64URL, 64)],
  }),
  keyed("stytch-secret", "Stytch project secret", {
    keywords: ["stytch"],
    nameMust: ["secret"],
    key: "stytch_secret",
    value: [lit("secret-live-", "secret-test-"), chars(BASE64URL, 36)],
  }),
  token("notion-integration-token", "Notion integration token", [
    lit("ntn_"),
    chars(DIGITS, 11),
    chars(ALNUM, 35),
  ]),
  token("notion-integration-token-legacy", "Notion integration token (legacy)", [
    lit("secret_"),
    chars(ALNUM, 43),
  ]),
  keyed("airtable-pat", "Airtable personal access token", {
    keywords: ["airtable"],
    key: "airtable_token",
    value: [lit("pat"), chars(ALNUM, 14), lit("."), chars(HEX, 64)],
  }),
  keyed("asana-client-id", "Asana client ID", {
    keywords: ["asana"],
    key: "asana_client_id",
    value: [chars(DIGITS, 16)],
    minEntropy: 2,
  }),
  keyed("asana-client-secret", "Asana client secret", {
    keywords: ["asana"],
    key: "asana_client_secret",
    value: [chars(ALNUM, 32)],
  }),
  keyed("asana-pat", "Asana personal access token", {
    keywords: ["asana"],
    key: "asana_access_token",
    value: [lit("1/", "2/"), chars(DIGITS, 10, 16), lit(":"), chars(HEX, 32)],
  }),
  token("clickup-api-token", "ClickUp personal API token", [
    lit("pk_"),
    chars(DIGITS, 6, 9),
    lit("_"),
    chars(ALNUM_UPPER, 32),
  ]),
  keyed("trello-api-token", "Trello API token", {
    keywords: ["trello"],
    nameMust: ["token", "secret"],
    key: "trello_token",
    value: [chars(HEX, 64)],
  }),
  keyed("webflow-api-token", "Webflow API token", {
    keywords: ["webflow"],
    key: "webflow_api_token",
    value: [chars(HEX, 64)],
  }),
  keyed("zoom-client-secret", "Zoom client secret", {
    keywords: ["zoom"],
    nameMust: ["secret"],
    key: "zoom_client_secret",
    value: [chars(ALNUM, 32)],
  }),
  keyed("jotform-api-key", "Jotform API key", {
    keywords: ["jotform"],
    key: "jotform_api_key",
    value: [chars(ALNUM_LOWER, 32)],
  }),
  keyed("spotify-client-secret", "Spotify client secret", {
    keywords: ["spotify"],
    nameMust: ["secret"],
    key: "spotify_client_secret",
    value: [chars(HEX, 32)],
  }),
  keyed("twitch-api-token", "Twitch API token", {
    keywords: ["twitch"],
    nameMust: SECRET_NAME,
    key: "twitch_client_secret",
    value: [chars(ALNUM_LOWER, 30)],
  }),
  token(
    "twitter-bearer-token",
    "Twitter / X bearer token",
    [lit("AAAAAAAAAAAAAAAAAAAAA"), chars({ cls: "A-Za-z0-9%", chars: `${ALNUM.chars}%` }, 80, 100)],
    { secretFrom: 1 },
  ),
  keyed("twitter-api-secret", "Twitter / X API secret", {
    keywords: ["twitter"],
    nameMust: ["secret"],
    key: "twitter_api_secret",
    value: [chars(ALNUM, 50)],
  }),
  token("facebook-access-token", "Facebook / Meta access token", [
    lit("EAAB", "EAAC", "EAAM"),
    chars(ALNUM, 100, 300),
  ]),
  keyed("facebook-app-secret", "Facebook / Meta app secret", {
    keywords: ["facebook", "fb_app", "fb-app", "meta_app"],
    nameMust: ["secret"],
    key: "facebook_app_secret",
    value: [chars(HEX, 32)],
  }),
  keyed("linkedin-client-secret", "LinkedIn client secret", {
    keywords: ["linkedin"],
    nameMust: ["secret"],
    key: "linkedin_client_secret",
    value: [chars(ALNUM, 16)],
  }),
  token("adafruit-io-key", "Adafruit IO key", [lit("aio_"), chars(ALNUM, 28)]),
  token("adobe-client-secret", "Adobe client secret", [lit("p8e-"), chars(ALNUM, 32)]),
  keyed("adobe-client-id-secret", "Adobe API key", {
    keywords: ["adobe"],
    nameMust: SECRET_NAME,
    key: "adobe_client_secret",
    value: [chars(HEX, 32)],
  }),
  keyed("fastly-api-token", "Fastly API token", {
    keywords: ["fastly"],
    key: "fastly_api_token",
    value: [chars(BASE64URL, 32)],
  }),
  token("dropbox-short-lived-token", "Dropbox short-lived access token", [
    lit("sl."),
    chars({ cls: "A-Za-z0-9_=\\-", chars: `${ALNUM.chars}_=-` }, 135, 140),
  ]),
];
