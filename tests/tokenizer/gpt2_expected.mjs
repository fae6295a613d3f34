// Prints, as JSON, the GPT-2 token ids that gpt-3-encoder (an independent
// JavaScript implementation) gives for each text in texts.json:
//     [{"text": "...", "ids": [...]}, ...]
// The engine's Gpt2Agreement test compares its own tokenizer against this.
//
// gpt-3-encoder keys its merge ranks by the pair joined with a comma, so a
// few pairs that are not merges pass for ones that are (for example '",' + '"'
// reads as the merge '"' + ',"'). GPT-2 itself does not do that, so the engine
// does not copy it, and texts.json holds no text where it would show.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { encode } = require("gpt-3-encoder");

const textsFile = new URL("./texts.json", import.meta.url);
const texts = JSON.parse(readFileSync(textsFile, "utf8"));
const expected = texts.map((text) => ({ text, ids: encode(text) }));
// One text per line, so that a failing case is easy to find by eye.
process.stdout.write("[\n" + expected.map((entry) => JSON.stringify(entry)).join(",\n") + "\n]\n");
