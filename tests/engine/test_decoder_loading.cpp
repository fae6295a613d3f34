// Loading the Qwen-family folders: configs, shard indexes and generation
// configs, and every broken input a clear error naming the file and key.
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "bd3/model.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace bd3 {
namespace {

namespace fs = std::filesystem;

// A copy of a tiny Qwen fixture folder, changed by edit, and the error
// loading it gives ("" when it loads).
std::string loadError(const std::string& fixture, const std::function<void(const fs::path&)>& edit)
{
    test::ScratchDir dir;
    const fs::path folder = dir.path() / fixture;
    fs::copy(test::fixturesDir() / "qwen" / fixture, folder, fs::copy_options::recursive);
    edit(folder);
    try {
        Model::load(folder);
    } catch (const Error& error) {
        return error.what();
    }
    return {};
}

void editJson(const fs::path& file, const std::function<void(nlohmann::json&)>& edit)
{
    nlohmann::json json = nlohmann::json::parse(test::readFile(file));
    edit(json);
    test::writeFile(file, json.dump(1));
}

auto configEdit(const std::function<void(nlohmann::json&)>& edit)
{
    return [edit](const fs::path& folder) { editJson(folder / "config.json", edit); };
}

auto indexEdit(const std::function<void(nlohmann::json&)>& edit)
{
    return [edit](const fs::path& folder) { editJson(folder / "model.safetensors.index.json", edit); };
}

TEST(DecoderLoading, FamiliesAreChosenByModelTypeWithTheirSettings)
{
    const auto sdar = Model::load(test::fixturesDir() / "qwen" / "tiny-sdar");
    const ModelConfig& c = sdar->config();
    EXPECT_EQ(c.familyName, "qwen3");
    EXPECT_EQ(c.kvHeads, 2);
    EXPECT_EQ(c.headDim, 24);  // from config.json, not hidden / heads
    EXPECT_FALSE(c.prependBos);
    EXPECT_EQ(c.logits, LogitAlignment::SamePosition);
    ASSERT_NE(c.decoder(), nullptr);
    EXPECT_TRUE(c.decoder()->qkNorm);
    EXPECT_FALSE(c.decoder()->tiedEmbeddings);

    const auto fast = Model::load(test::fixturesDir() / "qwen" / "tiny-fast-dllm");  // sharded
    EXPECT_EQ(fast->config().familyName, "qwen2");
    EXPECT_EQ(fast->config().logits, LogitAlignment::NextPosition);
    EXPECT_TRUE(fast->config().decoder()->qkvBias);
    EXPECT_EQ(fast->config().blockSize, 4);  // bd_size
    EXPECT_EQ(Model::load(test::fixturesDir() / "qwen" / "tiny-a2d")->config().decoder()->tiedEmbeddings, true);
}

TEST(DecoderLoading, GenerationConfigGivesStopIdsAndDefaults)
{
    ModelConfig config = ModelConfig::fromJsonFile(test::fixturesDir() / "qwen" / "tiny-sdar" / "config.json");
    config.applyGenerationConfig(R"({"eos_token_id": [7, 3], "temperature": 0.6, "top_k": 20, "top_p": 0.95})", "g");
    EXPECT_EQ(config.stopIds, (std::vector<int32_t>{7, 3}));
    EXPECT_TRUE(config.isStopId(7));
    EXPECT_EQ(config.defaults.topK, 20);
    const SamplingParams params = samplingDefaults(config);
    EXPECT_EQ(params.sampler, SamplerKind::LowConfidenceDynamic);
    EXPECT_DOUBLE_EQ(params.temperature, 0.6);
    EXPECT_EQ(params.topK, 20);
    config.applyGenerationConfig(R"({"do_sample": false})", "g");
    EXPECT_EQ(config.defaults.temperature, 0.0);
    EXPECT_THROW(config.applyGenerationConfig(R"({"eos_token_id": [1030]})", "g"), Error);  // the mask id
    EXPECT_THROW(config.applyGenerationConfig(R"({"eos_token_id": 99999})", "g"), Error);   // outside the vocabulary
}

TEST(DecoderLoading, BrokenShardIndexesAreNamed)
{
    const std::string fixture = "tiny-fast-dllm";
    const std::string shard1 = "model-00001-of-00002.safetensors", shard2 = "model-00002-of-00002.safetensors";
    EXPECT_NE(loadError(fixture, [&](const fs::path& f) { fs::remove(f / shard2); }).find("names the shard " + shard2 +
                                                                                         ", which is not in the folder"),
              std::string::npos);
    // Both shards claim the final norm: the index places it in one of them.
    const std::string both = loadError(fixture, [&](const fs::path& f) {
        fs::copy_file(f / shard1, f / "copy.safetensors");
        editJson(f / "model.safetensors.index.json", [&](nlohmann::json& index) {
            for (auto& [name, shard] : index["weight_map"].items())
                if (shard == shard2) shard = "copy.safetensors";
        });
    });
    EXPECT_NE(both.find("which the index places in"), std::string::npos) << both;
    EXPECT_NE(loadError(fixture, indexEdit([](nlohmann::json& index) {
                  index["weight_map"]["model.extra.weight"] = "model-00001-of-00002.safetensors";
              })).find("lists tensor 'model.extra.weight'"),
              std::string::npos);
    EXPECT_NE(loadError(fixture, indexEdit([](nlohmann::json& index) { index["weight_map"]["lm_head.weight"] = "../x"; }))
                  .find("not a file name in the folder"),
              std::string::npos);
    EXPECT_NE(loadError(fixture, indexEdit([](nlohmann::json& index) { index.erase("weight_map"); }))
                  .find("no \"weight_map\""),
              std::string::npos);
}

TEST(DecoderLoading, AShardHoldingTensorsTheIndexDoesNotListIsAnError)
{
    // Two shards that both hold every tensor, while the index lists only two of them.
    const std::string message = loadError("tiny-sdar", [](const fs::path& f) {
        fs::copy_file(f / "model.safetensors", f / "b.safetensors");
        fs::rename(f / "model.safetensors", f / "a.safetensors");
        nlohmann::json index = {{"metadata", nlohmann::json::object()}, {"weight_map", nlohmann::json::object()}};
        index["weight_map"]["model.norm.weight"] = "a.safetensors";
        index["weight_map"]["model.embed_tokens.weight"] = "b.safetensors";
        test::writeFile(f / "model.safetensors.index.json", index.dump());
    });
    EXPECT_NE(message.find("which the index does not list"), std::string::npos) << message;
}

TEST(DecoderLoading, BadConfigsNameTheKey)
{
    EXPECT_NE(loadError("tiny-sdar", configEdit([](nlohmann::json& c) { c["num_key_value_heads"] = 3; }))
                  .find("num_attention_heads 4 is not a multiple of num_key_value_heads 3"),
              std::string::npos);
    EXPECT_NE(loadError("tiny-sdar", configEdit([](nlohmann::json& c) { c["head_dim"] = 16; }))
                  .find("'model.layers.0.self_attn.q_norm.weight' has shape [24]; config.json implies [16]"),
              std::string::npos);
    EXPECT_NE(loadError("tiny-sdar", configEdit([](nlohmann::json& c) { c["model_type"] = "llama"; }))
                  .find("model_type \"llama\" is not a family this engine runs"),
              std::string::npos);
    EXPECT_NE(loadError("tiny-sdar", configEdit([](nlohmann::json& c) { c["mask_token_id"] = 5000; }))
                  .find("\"mask_token_id\" is 5000; it must lie in [0, 1039]"),
              std::string::npos);
    EXPECT_NE(loadError("tiny-sdar", configEdit([](nlohmann::json& c) { c.erase("mask_token_id"); }))
                  .find("missing key \"mask_token_id\""),
              std::string::npos);
    EXPECT_NE(loadError("tiny-sdar", configEdit([](nlohmann::json& c) { c["rope_scaling"] = {{"type", "yarn"}}; }))
                  .find("\"rope_scaling\" is an object; only plain rotary"),
              std::string::npos);
    // Untied without lm_head; tied with a stray copy of it is fine.
    EXPECT_EQ(loadError("tiny-sdar", configEdit([](nlohmann::json& c) { c["tie_word_embeddings"] = true; })), "");
    EXPECT_NE(loadError("tiny-a2d", configEdit([](nlohmann::json& c) { c["tie_word_embeddings"] = false; }))
                  .find("missing tensor 'lm_head.weight'"),
              std::string::npos);
}

} // namespace
} // namespace bd3
