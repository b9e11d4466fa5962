import { ALNUM, ALNUM_LOWER, BASE64, BASE64URL, type Charset, DIGITS, HEX } from "../charsets.js";
import { keyed } from "../keyed-rule.js";
import { chars, lit, type SecretRule } from "../rule.js";
import { token } from "../token-rule.js";
import { UUID } from "./shapes.js";

const URL_SAFE_EQ: Charset = { cls: "A-Za-z0-9_=\\-", chars: `${ALNUM.chars}_=-` };

/** Payments, commerce, shipping and crypto exchanges. */
export const paymentRules: SecretRule[] = [
  token("stripe-secret-key", "Stripe secret key", [lit("sk_live_", "sk_test_"), chars(ALNUM, 24, 99)]),
  token("stripe-restricted-key", "Stripe restricted key", [
    lit("rk_live_", "rk_test_"),
    chars(ALNUM, 24, 99),
  ]),
  token("stripe-webhook-secret", "Stripe webhook signing secret", [lit("whsec_"), chars(ALNUM, 32)]),
  token("shopify-access-token", "Shopify access token", [lit("shpat_"), chars(HEX, 32)]),
  token("shopify-custom-app-token", "Shopify custom app access token", [lit("shpca_"), chars(HEX, 32)]),
  token("shopify-private-app-token", "Shopify private app access token", [lit("shppa_"), chars(HEX, 32)]),
  token("shopify-shared-secret", "Shopify shared secret", [lit("shpss_"), chars(HEX, 32)]),
  token("square-access-token", "Square access token", [lit("EAAA"), chars(BASE64URL, 60)]),
  token("square-legacy-access-token", "Square access token (legacy)", [lit("sq0atp-"), chars(BASE64URL, 22)]),
  token("square-oauth-secret", "Square OAuth secret", [lit("sq0csp-"), chars(BASE64URL, 43)]),
  token("braintree-access-token", "Braintree / PayPal access token", [
    lit("access_token$production$", "access_token$sandbox$"),
    chars(ALNUM_LOWER, 16),
    lit("$"),
    chars(HEX, 32),
  ]),
  keyed("paypal-client-secret", "PayPal client secret", {
    keywords: ["paypal"],
    nameMust: ["secret"],
    key: "paypal_client_secret",
    value: [chars(BASE64URL, 80)],
  }),
  keyed("razorpay-key-secret", "Razorpay key secret", {
    keywords: ["razorpay"],
    nameMust: ["secret"],
    key: "razorpay_key_secret",
    value: [chars(ALNUM, 24)],
  }),
  token("flutterwave-secret-key", "Flutterwave secret key", [
    lit("FLWSECK_TEST-", "FLWSECK-"),
    chars(HEX, 32),
    lit("-X"),
  ]),
  keyed("plaid-secret", "Plaid secret", {
    keywords: ["plaid"],
    nameMust: ["secret"],
    key: "plaid_secret",
    value: [chars(ALNUM_LOWER, 30)],
  }),
  token("plaid-access-token", "Plaid access token", [
    lit("access-sandbox-", "access-development-", "access-production-"),
    ...UUID,
  ]),
  token("mercadopago-access-token", "Mercado Pago access token", [
    lit("APP_USR-", "TEST-"),
    chars(DIGITS, 16),
    lit("-"),
    chars(DIGITS, 6),
    lit("-"),
    chars(HEX, 32),
    lit("-"),
    chars(DIGITS, 9),
  ]),
  token("shippo-api-token", "Shippo API token", [lit("shippo_live_", "shippo_test_"), chars(HEX, 40)]),
  token("easypost-api-key", "EasyPost API key", [lit("EZAK"), chars(ALNUM, 54)]),
  token("easypost-test-api-key", "EasyPost test API key", [lit("EZTK"), chars(ALNUM, 54)]),
  token("duffel-api-token", "Duffel API token", [
    lit("duffel_test_", "duffel_live_"),
    chars(URL_SAFE_EQ, 43),
  ]),
  keyed("gocardless-access-token", "GoCardless access token", {
    keywords: ["gocardless"],
    key: "gocardless_access_token",
    value: [lit("live_", "sandbox_"), chars(URL_SAFE_EQ, 40)],
  }),
  keyed("lob-api-key", "Lob API key", {
    keywords: ["lob_api", "lob_key", "lob_secret"],
    key: "lob_api_key",
    value: [lit("live_", "test_"), chars(HEX, 35)],
  }),
  keyed("coinbase-api-secret", "Coinbase API secret", {
    keywords: ["coinbase"],
    nameMust: ["secret"],
    key: "coinbase_api_secret",
    value: [chars(ALNUM, 32)],
  }),
  keyed("binance-api-secret", "Binance API secret", {
    keywords: ["binance"],
    nameMust: ["secret", "key"],
    key: "binance_api_secret",
    value: [chars(ALNUM, 64)],
  }),
  keyed("kraken-private-key", "Kraken API private key", {
    keywords: ["kraken"],
    nameMust: ["secret", "private", "key"],
    key: "kraken_private_key",
    value: [chars(BASE64, 86), lit("==")],
  }),
  keyed("kucoin-api-secret", "KuCoin API secret", {
    keywords: ["kucoin"],
    nameMust: ["secret"],
    key: "kucoin_api_secret",
    value: UUID,
  }),
  keyed("bittrex-api-secret", "Bittrex API secret", {
    keywords: ["bittrex"],
    nameMust: ["secret", "key"],
    key: "bittrex_api_secret",
    value: [chars(HEX, 32)],
  }),
  keyed("etsy-api-key", "Etsy API key", {
    keywords: ["etsy"],
    key: "etsy_api_key",
    value: [chars(ALNUM_LOWER, 24)],
  }),
];
