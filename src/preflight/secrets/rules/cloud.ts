import {
  ALNUM,
  ALNUM_LOWER,
  ALNUM_UPPER,
  BASE32,
  BASE64,
  BASE64URL,
  type Charset,
  DIGITS,
  HEX,
} from "../charsets.js";
import { keyed } from "../keyed-rule.js";
import { chars, lit, type MatchContext, type SecretRule } from "../rule.js";
import { token } from "../token-rule.js";
import { SECRET_NAME, UUID } from "./shapes.js";

const AZURE_SECRET: Charset = { cls: "A-Za-z0-9_~.\\-", chars: `${ALNUM.chars}_~.-` };
const BASE32_LOWER: Charset = { cls: "a-z2-7", chars: "abcdefghijklmnopqrstuvwxyz234567" };
const URL_ENCODED_B64: Charset = { cls: "A-Za-z0-9%+/", chars: `${ALNUM.chars}%+/` };

/** A SAS signature only matters with the rest of the SAS query (sv=, se= or sp=) next to it. */
function nearSasQuery(context: MatchContext): boolean {
  const around = context.text.slice(Math.max(0, context.index - 300), context.index + 300);
  return /[?&](?:sv|se|sp|sr)=/.test(around);
}

/** AWS, Google Cloud, Azure and other clouds and hosting platforms. */
export const cloudRules: SecretRule[] = [
  token("aws-access-key-id", "AWS access key ID", [lit("AKIA", "ASIA", "ABIA", "ACCA"), chars(BASE32, 16)]),
  keyed("aws-secret-access-key", "AWS secret access key", {
    keywords: ["aws_secret", "aws-secret", "awssecret", "secret_access_key", "secretaccesskey"],
    key: "aws_secret_access_key",
    value: [chars(BASE64, 40)],
    minEntropy: 3.5,
  }),
  keyed("aws-session-token", "AWS session token", {
    keywords: ["aws_session_token", "sessiontoken", "session_token"],
    key: "aws_session_token",
    value: [lit("FwoGZXIvYXdzE", "IQoJb3JpZ2luX2Vj"), chars(BASE64, 100, 1000)],
  }),
  token("aws-mws-auth-token", "Amazon MWS auth token", [lit("amzn.mws."), ...UUID]),
  token("aws-bedrock-api-key", "Amazon Bedrock API key", [lit("ABSK"), chars(BASE64, 109, 269)]),
  // Short-lived: a presigned URL, base64-encoded, that always starts with the Bedrock host.
  token(
    "aws-bedrock-api-key-short-lived",
    "Amazon Bedrock short-lived API key",
    [
      // skiff:allow-next-line -- the format's own prefix: the base64 of the Bedrock host name
      lit("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t"),
      chars({ cls: "A-Za-z0-9+/=", chars: `${BASE64.chars}=` }, 0, 2000),
    ],
    { minEntropy: 0 },
  ),
  token("gcp-api-key", "Google API key", [lit("AIza"), chars(BASE64URL, 35)]),
  token("google-oauth-client-secret", "Google OAuth client secret", [lit("GOCSPX-"), chars(BASE64URL, 28)]),
  token("google-oauth-access-token", "Google OAuth access token", [lit("ya29."), chars(BASE64URL, 30, 300)], {
    minEntropy: 3.5,
  }),
  keyed("google-oauth-refresh-token", "Google OAuth refresh token", {
    keywords: ["refresh_token", "refreshtoken", "refresh-token"],
    key: "google_refresh_token",
    value: [lit("1//0"), chars(BASE64URL, 40, 300)],
  }),
  token("firebase-cloud-messaging-key", "Firebase Cloud Messaging server key", [
    lit("AAAA"),
    chars(BASE64URL, 7),
    lit(":"),
    chars(BASE64URL, 140),
  ]),
  token(
    "azure-storage-account-key",
    "Azure storage account key",
    [lit("AccountKey="), chars(BASE64, 86), lit("==")],
    { keywords: ["accountkey="], secretFrom: 1, shortIsClean: false },
  ),
  token(
    "azure-shared-access-key",
    "Azure Service Bus / Event Hubs shared access key",
    [lit("SharedAccessKey="), chars(BASE64, 43), lit("=")],
    { keywords: ["sharedaccesskey="], secretFrom: 1, shortIsClean: false },
  ),
  token(
    "azure-ad-client-secret",
    "Azure AD (Entra ID) client secret",
    [chars(AZURE_SECRET, 3), chars(DIGITS, 1), lit("Q~"), chars(AZURE_SECRET, 31, 34)],
    { keywords: ["q~"] },
  ),
  token("azure-sas-token", "Azure shared access signature", [lit("sig="), chars(URL_ENCODED_B64, 43, 60)], {
    keywords: ["sig="],
    secretFrom: 1,
    verify: nearSasQuery,
    wrap: (sig) =>
      `https://acct.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&${sig}`,
  }),
  token(
    "azure-devops-pat",
    "Azure DevOps personal access token",
    [chars(ALNUM, 76), lit("AZDO"), chars(ALNUM, 4)],
    {
      keywords: ["azdo"],
    },
  ),
  keyed("azure-devops-pat-legacy", "Azure DevOps personal access token (legacy)", {
    keywords: ["azure_devops", "ado_pat", "ado_token", "azdo_pat", "azdo_token"],
    key: "azure_devops_pat",
    value: [chars(BASE32_LOWER, 52)],
  }),
  keyed("azure-cosmosdb-key", "Azure Cosmos DB key", {
    keywords: ["cosmos"],
    nameMust: ["key"],
    key: "cosmos_db_key",
    value: [chars(BASE64, 86), lit("==")],
  }),
  keyed("azure-function-key", "Azure Functions key", {
    keywords: ["functions-key", "functions_key", "function_key", "functionkey", "azure_function"],
    key: "azure_function_key",
    value: [chars(BASE64URL, 54), lit("==")],
  }),
  keyed("azure-openai-key", "Azure OpenAI key", {
    keywords: ["azure_openai", "azureopenai", "azure-openai", "aoai"],
    nameMust: ["key"],
    key: "azure_openai_api_key",
    value: [chars(HEX, 32)],
  }),
  token("alibaba-access-key-id", "Alibaba Cloud access key ID", [lit("LTAI"), chars(ALNUM, 20)]),
  keyed("alibaba-secret-key", "Alibaba Cloud access key secret", {
    keywords: ["alibaba", "aliyun", "alicloud"],
    nameMust: ["secret"],
    key: "alibaba_access_key_secret",
    value: [chars(ALNUM, 30)],
  }),
  keyed("tencent-secret-key", "Tencent Cloud secret key", {
    keywords: ["tencent"],
    nameMust: ["secret", "key"],
    key: "tencent_secret_key",
    value: [chars(ALNUM, 32)],
  }),
  token("yandex-api-key", "Yandex Cloud API key", [lit("AQVN"), chars(BASE64URL, 35, 38)]),
  keyed("yandex-access-key-secret", "Yandex Cloud static access key secret", {
    keywords: ["yandex"],
    nameMust: ["secret", "key"],
    key: "yandex_secret_key",
    value: [lit("YC"), chars(BASE64URL, 38)],
  }),
  keyed("ibm-cloud-api-key", "IBM Cloud API key", {
    keywords: ["ibm_cloud", "ibmcloud", "ibm-cloud", "ibm_api", "ibm-api"],
    nameMust: ["key"],
    key: "ibm_cloud_api_key",
    value: [chars(BASE64URL, 44)],
  }),
  keyed("linode-api-token", "Linode (Akamai) API token", {
    keywords: ["linode"],
    nameMust: SECRET_NAME,
    key: "linode_token",
    value: [chars(HEX, 64)],
  }),
  keyed("vultr-api-key", "Vultr API key", {
    keywords: ["vultr"],
    nameMust: SECRET_NAME,
    key: "vultr_api_key",
    value: [chars(ALNUM_UPPER, 36)],
  }),
  keyed("hetzner-api-token", "Hetzner Cloud API token", {
    keywords: ["hetzner", "hcloud"],
    nameMust: SECRET_NAME,
    key: "hcloud_token",
    value: [chars(ALNUM, 64)],
  }),
  keyed("scaleway-secret-key", "Scaleway secret key", {
    keywords: ["scaleway", "scw_secret", "scw-secret"],
    nameMust: ["secret"],
    key: "scw_secret_key",
    value: UUID,
  }),
  keyed("ovh-application-secret", "OVHcloud application secret", {
    keywords: ["ovh"],
    nameMust: ["secret"],
    key: "ovh_application_secret",
    value: [chars(ALNUM, 32)],
  }),
  keyed("backblaze-application-key", "Backblaze B2 application key", {
    keywords: ["backblaze", "b2_app", "b2_application"],
    nameMust: ["key"],
    key: "b2_application_key",
    value: [lit("K00"), chars({ cls: "A-Za-z0-9+/", chars: BASE64.chars }, 28)],
  }),
  keyed("wasabi-secret-key", "Wasabi secret key", {
    keywords: ["wasabi"],
    nameMust: ["secret"],
    key: "wasabi_secret_key",
    value: [chars(BASE64, 40)],
    minEntropy: 3.5,
  }),
  token("digitalocean-pat", "DigitalOcean personal access token", [lit("dop_v1_"), chars(HEX, 64)]),
  token("digitalocean-oauth-token", "DigitalOcean OAuth token", [lit("doo_v1_"), chars(HEX, 64)]),
  token("digitalocean-refresh-token", "DigitalOcean refresh token", [lit("dor_v1_"), chars(HEX, 64)]),
  keyed("cloudflare-api-token", "Cloudflare API token", {
    keywords: ["cloudflare", "cf_api", "cf-api", "cf_token"],
    nameMust: ["token"],
    key: "cloudflare_api_token",
    value: [chars(BASE64URL, 40)],
  }),
  keyed("cloudflare-global-api-key", "Cloudflare global API key", {
    keywords: ["cloudflare", "cf_api_key", "cf-api-key"],
    nameMust: ["key"],
    key: "cloudflare_api_key",
    value: [chars(HEX, 37)],
  }),
  token("cloudflare-origin-ca-key", "Cloudflare Origin CA key", [
    lit("v1.0-"),
    chars(HEX, 24),
    lit("-"),
    chars(HEX, 146),
  ]),
  token("flyio-oauth-token", "Fly.io OAuth token", [lit("fo1_"), chars(BASE64URL, 43)]),
  token("flyio-access-token", "Fly.io access token", [
    lit("fm1r_", "fm1a_", "fm2_"),
    chars(BASE64, 100, 300),
  ]),
  keyed("vercel-token", "Vercel access token", {
    keywords: ["vercel"],
    nameMust: ["token", "key"],
    key: "vercel_token",
    value: [chars(ALNUM, 24)],
  }),
  token("netlify-pat", "Netlify personal access token", [lit("nfp_"), chars(ALNUM, 36)]),
  keyed("netlify-access-token", "Netlify access token (legacy)", {
    keywords: ["netlify"],
    nameMust: ["token", "key"],
    key: "netlify_auth_token",
    value: [chars(BASE64URL, 40, 46)],
  }),
  keyed("heroku-api-key", "Heroku API key", {
    keywords: ["heroku"],
    nameMust: SECRET_NAME,
    key: "heroku_api_key",
    value: UUID,
  }),
  token("heroku-api-key-v2", "Heroku API key", [lit("HRKU-AA"), chars(BASE64URL, 58)]),
  token("render-api-key", "Render API key", [lit("rnd_"), chars(ALNUM, 32)]),
  keyed("railway-token", "Railway API token", {
    keywords: ["railway"],
    nameMust: ["token"],
    key: "railway_token",
    value: UUID,
  }),
  token("supabase-access-token", "Supabase access token", [lit("sbp_"), chars(HEX, 40)]),
  token("neon-api-key", "Neon API key", [lit("napi_"), chars(ALNUM_LOWER, 64)]),
  token("planetscale-api-token", "PlanetScale API token", [
    lit("pscale_tkn_"),
    chars({ cls: "A-Za-z0-9_=.\\-", chars: `${ALNUM.chars}_=.-` }, 32, 64),
  ]),
  token("planetscale-password", "PlanetScale database password", [
    lit("pscale_pw_"),
    chars({ cls: "A-Za-z0-9_=.\\-", chars: `${ALNUM.chars}_=.-` }, 32, 64),
  ]),
  token("planetscale-oauth-token", "PlanetScale OAuth token", [
    lit("pscale_oauth_"),
    chars({ cls: "A-Za-z0-9_=.\\-", chars: `${ALNUM.chars}_=.-` }, 32, 64),
  ]),
  token("databricks-token", "Databricks access token", [lit("dapi"), chars(HEX, 32)]),
  keyed("confluent-api-secret", "Confluent Cloud API secret", {
    keywords: ["confluent"],
    nameMust: ["secret"],
    key: "confluent_api_secret",
    value: [chars(BASE64, 64)],
    minEntropy: 3.5,
  }),
  keyed("hasura-admin-secret", "Hasura admin secret", {
    keywords: ["hasura"],
    nameMust: ["secret"],
    key: "hasura_graphql_admin_secret",
    value: [chars(ALNUM, 32, 64)],
  }),
  token(
    "cloudinary-url",
    "Cloudinary URL with API secret",
    [
      lit("cloudinary://"),
      chars(DIGITS, 15),
      lit(":"),
      chars(BASE64URL, 27),
      lit("@"),
      chars(ALNUM_LOWER, 3, 30),
    ],
    // One character short is another format, but still a password in a URL.
    { keywords: ["cloudinary://"], secretFrom: 3, shortIsClean: false },
  ),
  token("mapbox-secret-token", "Mapbox secret token", [
    lit("sk.eyJ"),
    chars(BASE64URL, 50, 200),
    lit("."),
    chars(BASE64URL, 22),
  ]),
  keyed("expo-access-token", "Expo access token", {
    keywords: ["expo_token", "expo-token", "expo_access"],
    key: "expo_token",
    value: [chars(BASE64URL, 40)],
  }),
];
