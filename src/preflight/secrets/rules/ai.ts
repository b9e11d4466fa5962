import { ALNUM, BASE64URL, HEX, LETTERS } from "../charsets.js";
import { keyed } from "../keyed-rule.js";
import { chars, lit, type SecretRule } from "../rule.js";
import { token } from "../token-rule.js";

/** AI and ML platforms. */
export const aiRules: SecretRule[] = [
  token(
    "openai-api-key",
    "OpenAI API key",
    [lit("sk-"), chars(ALNUM, 20), lit("T3BlbkFJ"), chars(ALNUM, 20)],
    {
      keywords: ["t3blbkfj"],
    },
  ),
  token(
    "openai-project-key",
    "OpenAI project / service account key",
    [
      lit("sk-proj-", "sk-svcacct-", "sk-admin-"),
      chars(BASE64URL, 58, 74),
      lit("T3BlbkFJ"),
      chars(BASE64URL, 58, 74),
    ],
    { keywords: ["t3blbkfj"] },
  ),
  token("anthropic-api-key", "Anthropic API key", [lit("sk-ant-api03-"), chars(BASE64URL, 93), lit("AA")]),
  token("anthropic-admin-key", "Anthropic admin key", [
    lit("sk-ant-admin01-"),
    chars(BASE64URL, 93),
    lit("AA"),
  ]),
  token("huggingface-access-token", "Hugging Face access token", [lit("hf_"), chars(LETTERS, 34)]),
  token("huggingface-org-token", "Hugging Face organization API token", [
    lit("api_org_"),
    chars(LETTERS, 34),
  ]),
  token("groq-api-key", "Groq API key", [lit("gsk_"), chars(ALNUM, 52)]),
  token("perplexity-api-key", "Perplexity API key", [lit("pplx-"), chars(ALNUM, 48)]),
  token("replicate-api-token", "Replicate API token", [lit("r8_"), chars(ALNUM, 37)]),
  token("xai-api-key", "xAI API key", [lit("xai-"), chars(ALNUM, 80)]),
  token("openrouter-api-key", "OpenRouter API key", [lit("sk-or-v1-"), chars(HEX, 64)]),
  token("langsmith-api-key", "LangSmith API key", [
    lit("lsv2_pt_", "lsv2_sk_"),
    chars(HEX, 32),
    lit("_"),
    chars(HEX, 10),
  ]),
  keyed("cohere-api-key", "Cohere API key", {
    keywords: ["cohere", "co_api_key"],
    key: "cohere_api_key",
    value: [chars(ALNUM, 40)],
  }),
  keyed("mistral-api-key", "Mistral AI API key", {
    keywords: ["mistral"],
    nameMust: ["key", "token"],
    key: "mistral_api_key",
    value: [chars(ALNUM, 32)],
  }),
  keyed("together-api-key", "Together AI API key", {
    keywords: ["together_api", "together-api", "togetherai", "together_ai"],
    key: "together_api_key",
    value: [chars(HEX, 64)],
  }),
  keyed("deepseek-api-key", "DeepSeek API key", {
    keywords: ["deepseek"],
    key: "deepseek_api_key",
    value: [lit("sk-"), chars(HEX, 32)],
  }),
  keyed("fireworks-api-key", "Fireworks AI API key", {
    keywords: ["fireworks"],
    key: "fireworks_api_key",
    value: [lit("fw_"), chars(ALNUM, 24)],
  }),
  keyed("elevenlabs-api-key", "ElevenLabs API key", {
    keywords: ["elevenlabs", "eleven_labs", "xi-api-key", "xi_api_key"],
    key: "elevenlabs_api_key",
    value: [lit("sk_"), chars(HEX, 48)],
  }),
  keyed("assemblyai-api-key", "AssemblyAI API key", {
    keywords: ["assemblyai", "assembly_ai"],
    key: "assemblyai_api_key",
    value: [chars(HEX, 32)],
  }),
  keyed("deepgram-api-key", "Deepgram API key", {
    keywords: ["deepgram"],
    key: "deepgram_api_key",
    value: [chars(HEX, 40)],
  }),
  keyed("wandb-api-key", "Weights & Biases API key", {
    keywords: ["wandb"],
    key: "wandb_api_key",
    value: [chars(HEX, 40)],
  }),
  keyed("pinecone-api-key", "Pinecone API key", {
    keywords: ["pinecone"],
    key: "pinecone_api_key",
    value: [lit("pcsk_"), chars(ALNUM, 5, 6), lit("_"), chars(BASE64URL, 60, 70)],
  }),
];
