// Every broken model folder gives a bd3::Error that names the problem.
#include "test_support.hpp"

#include "bd3/devices.hpp"
#include "bd3/error.hpp"
#include "bd3/model.hpp"
#include "formats/safetensors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>

namespace bd3 {
namespace {

using test::ScratchDir;

// Loads the folder and returns the error message; fails the test if it loads.
std::string loadError(const std::filesystem::path& folder)
{
    try {
        Model::load(folder);
    } catch (const Error& error) {
        return error.what();
    }
    ADD_FAILURE() << "loading " << folder << " should have failed";
    return {};
}

std::string safetensorsError(const std::string& bytes)
{
    ScratchDir dir;
    const auto file = dir.path() / "broken.safetensors";
    test::writeFile(file, bytes);
    try {
        SafetensorsFile parsed(file);
    } catch (const Error& error) {
        return error.what();
    }
    ADD_FAILURE() << "parsing should have failed";
    return {};
}

std::string withHeader(const std::string& json, size_t dataBytes)
{
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((json.size() >> (8 * i)) & 0xFF);
    return out + json + std::string(dataBytes, '\0');
}

TEST(Safetensors, RejectsBrokenFilesWithAReason)
{
    EXPECT_NE(safetensorsError("abc").find("too short"), std::string::npos);
    std::string huge(8, '\0');
    huge[0] = '\xff';
    huge[1] = '\xff';
    EXPECT_NE(safetensorsError(huge + "{}").find("runs past the end"), std::string::npos);
    EXPECT_NE(safetensorsError(withHeader("{not json", 0)).find("header: not valid JSON"), std::string::npos);
    EXPECT_NE(safetensorsError(withHeader("[]", 0)).find("not a JSON object"), std::string::npos);
    EXPECT_NE(safetensorsError(withHeader(R"({"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", 8)).find("dtype I64"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8))
                  .find("outside the 8 data bytes"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8))
                  .find("do not match shape [3]"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", 8))
                  .find("invalid dimension"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader(R"({"w":{"dtype":"F32"}})", 0)).find("'w' lacks"), std::string::npos);
}

// What the reference safetensors implementation refuses, refused here too:
// an element count past 2^40 even where the 64-bit product would wrap, data
// that does not tile the data section, duplicate names, and metadata that is
// not a map of strings to strings.
TEST(Safetensors, RejectsWhatTheReferenceImplementationRejects)
{
    // 2^32 x 2^32 wraps to 0 elements, which 0 data bytes would match.
    EXPECT_NE(safetensorsError(withHeader(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0))
                  .find("has more than 2^40 elements"),
              std::string::npos);
    const std::string two = R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)";
    EXPECT_NE(safetensorsError(withHeader("{" + two + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})", 8))
                  .find("the tensors overlap"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader("{" + two + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 12))
                  .find("a gap between tensors"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader("{" + two + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 12))
                  .find("4 bytes after the last tensor's data"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader("{" + two + R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8))
                  .find("the key \"a\" appears twice"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader(R"({"__metadata__":{"format":1}})", 0)).find("__metadata__ key \"format\" holds 1"),
              std::string::npos);
    EXPECT_NE(safetensorsError(withHeader(R"({"__metadata__":[]})", 0)).find("__metadata__ is [], not an object"), std::string::npos);
    // Out of order is fine as long as the data tiles; zero-sized tensors too.
    ScratchDir dir;
    const auto file = dir.path() / "ordered.safetensors";
    test::writeFile(file, withHeader(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                                     R"("e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},)"
                                     R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                                     8));
    EXPECT_EQ(SafetensorsFile(file).tensors().size(), 3U);
}

TEST(Safetensors, ConvertsHalfAndBfloat16)
{
    ScratchDir dir;
    const auto file = dir.path() / "halves.safetensors";
    // F16: 1, -2, 65504, smallest subnormal; BF16: 1, -0.5.
    const uint16_t halves[] = {0x3C00, 0xC000, 0x7BFF, 0x0001};
    const uint16_t brains[] = {0x3F80, 0xBF00};
    std::string data(reinterpret_cast<const char*>(halves), sizeof halves);
    data.append(reinterpret_cast<const char*>(brains), sizeof brains);
    const std::string header =
        R"({"__metadata__":{"format":"pt"},"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},)"
        R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}})";
    test::writeFile(file, withHeader(header, 0) + data);
    SafetensorsFile parsed(file);
    std::vector<float> h(4), b(2);
    parsed.readAsFloat(parsed.tensors().at("h"), h);
    parsed.readAsFloat(parsed.tensors().at("b"), b);
    EXPECT_EQ(h[0], 1.0F);
    EXPECT_EQ(h[1], -2.0F);
    EXPECT_EQ(h[2], 65504.0F);
    EXPECT_FLOAT_EQ(h[3], 5.9604645e-8F);
    EXPECT_EQ(b[0], 1.0F);
    EXPECT_EQ(b[1], -0.5F);
}

TEST(ModelLoading, LoadsTheFixtureModel)
{
    const auto model = Model::load(test::parityModelDir());
    EXPECT_EQ(model->config().hiddenDim, 64);
    EXPECT_EQ(model->config().maskId, model->config().vocabSize - 1);
    EXPECT_EQ(model->tokenizer().kind(), "sentencepiece");
    EXPECT_GT(model->parameterCount(), 0);
}

TEST(ModelLoading, MissingFolderAndFiles)
{
    ScratchDir dir;
    EXPECT_NE(loadError(dir.path() / "nowhere").find("not a model folder"), std::string::npos);

    auto noConfig = test::copyParityModel(dir.path(), "no-config");
    std::filesystem::remove(noConfig / "config.json");
    EXPECT_NE(loadError(noConfig).find("config.json: no such file"), std::string::npos);

    auto noWeights = test::copyParityModel(dir.path(), "no-weights");
    std::filesystem::remove(noWeights / "model.safetensors");
    EXPECT_NE(loadError(noWeights).find("model.safetensors: cannot open"), std::string::npos);

    auto noTokenizer = test::copyParityModel(dir.path(), "no-tokenizer");
    std::filesystem::remove(noTokenizer / "tokenizer.model");
    EXPECT_NE(loadError(noTokenizer).find("tokenizer"), std::string::npos);
}

TEST(ModelLoading, TruncatedWeights)
{
    ScratchDir dir;
    const auto folder = test::copyParityModel(dir.path());
    const std::string bytes = test::readFile(folder / "model.safetensors");
    test::writeFile(folder / "model.safetensors", bytes.substr(0, bytes.size() / 2));
    EXPECT_NE(loadError(folder).find("outside the"), std::string::npos);
    test::writeFile(folder / "model.safetensors", bytes.substr(0, 20));
    EXPECT_NE(loadError(folder).find("runs past the end"), std::string::npos);
}

TEST(ModelLoading, BrokenConfig)
{
    ScratchDir dir;
    const auto folder = test::copyParityModel(dir.path());
    const std::string original = test::readFile(folder / "config.json");

    test::writeFile(folder / "config.json", "{ \"vocab_size\": ");
    EXPECT_NE(loadError(folder).find("not valid JSON"), std::string::npos);

    auto config = nlohmann::json::parse(original);
    config.erase("n_heads");
    test::writeFile(folder / "config.json", config.dump());
    EXPECT_NE(loadError(folder).find("missing key \"n_heads\""), std::string::npos);

    config = nlohmann::json::parse(original);
    config["hidden_dim"] = "wide";
    test::writeFile(folder / "config.json", config.dump());
    EXPECT_NE(loadError(folder).find("\"hidden_dim\" must be an integer"), std::string::npos);

    config = nlohmann::json::parse(original);
    config["n_blocks"] = 3;  // the file holds two layers
    test::writeFile(folder / "config.json", config.dump());
    EXPECT_NE(loadError(folder).find("missing tensor 'backbone.blocks.2."), std::string::npos);

    config = nlohmann::json::parse(original);
    config["vocab_size"] = 900;  // smaller than the tokenizer
    config["mask_token_id"] = 899;
    test::writeFile(folder / "config.json", config.dump());
    EXPECT_NE(loadError(folder).find("vocab_size is only 900"), std::string::npos);

    config["mask_token_id"] = 1000;
    test::writeFile(folder / "config.json", config.dump());
    EXPECT_NE(loadError(folder).find("\"mask_token_id\" is 1000; it must lie in [0, 899]"), std::string::npos);
}

TEST(ModelLoading, MissingExtraAndMisshapenTensors)
{
    ScratchDir dir;
    const auto weights = [](const std::filesystem::path& folder) { return folder / "model.safetensors"; };

    const auto missing = test::copyParityModel(dir.path(), "missing");
    test::rewriteSafetensors(weights(missing), [](nlohmann::json& h) { h.erase("backbone.blocks.1.attn_out.weight"); });
    EXPECT_NE(loadError(missing).find("missing tensor 'backbone.blocks.1.attn_out.weight'"), std::string::npos);

    const auto extra = test::copyParityModel(dir.path(), "extra");
    test::rewriteSafetensors(weights(extra), [](nlohmann::json& h) {
        h["model.lm_head.weight"] = h["backbone.blocks.0.norm1.weight"];
    });
    EXPECT_NE(loadError(extra).find("unexpected tensor 'model.lm_head.weight'"), std::string::npos);

    const auto misshapen = test::copyParityModel(dir.path(), "misshapen");
    test::editSafetensorsHeader(weights(misshapen), [](nlohmann::json& h) {
        h["backbone.blocks.0.attn_qkv.weight"]["shape"] = {64, 192};  // transposed, same size
    });
    EXPECT_NE(loadError(misshapen).find("'backbone.blocks.0.attn_qkv.weight' has shape [64, 192]"), std::string::npos);

    const auto wrongDtype = test::copyParityModel(dir.path(), "dtype");
    test::editSafetensorsHeader(weights(wrongDtype), [](nlohmann::json& h) {
        h["backbone.blocks.0.norm1.weight"]["dtype"] = "I32";
    });
    EXPECT_NE(loadError(wrongDtype).find("dtype I32"), std::string::npos);
}

TEST(ModelLoading, RejectsNonFiniteWeights)
{
    ScratchDir dir;
    const auto folder = test::copyParityModel(dir.path());
    const auto file = folder / "model.safetensors";
    std::string bytes = test::readFile(file);
    const size_t offset = SafetensorsFile(file).tensors().at("backbone.output_layer.linear.bias").offset;
    uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i) headerLength = (headerLength << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
    const uint32_t nan = 0x7FC00000;
    std::memcpy(bytes.data() + 8 + headerLength + offset, &nan, 4);
    test::writeFile(file, bytes);
    EXPECT_NE(loadError(folder).find("'backbone.output_layer.linear.bias' holds NaN"), std::string::npos);
}

// Asking for CUDA on a machine (or a build) without a usable GPU runs the
// model on the CPU and says why; its output is the CPU's.
TEST(ModelLoading, CudaWithoutAUsableGpuRunsOnTheCpuAndSaysWhy)
{
    const DeviceReport devices = availableDevices();
    if (std::any_of(devices.devices.begin(), devices.devices.end(),
                    [](const DeviceInfo& d) { return d.device == Device::Cuda; }))
        GTEST_SKIP() << "a CUDA device is present; this test is for machines without one";
    LoadOptions options;
    options.device = Device::Cuda;
    const auto fallback = Model::load(test::parityModelDir(), options);
    EXPECT_EQ(fallback->device(), Device::Cpu);
    const std::string& note = fallback->deviceNote();
    EXPECT_EQ(note.rfind("no usable CUDA device: ", 0), 0U) << note;
    EXPECT_NE(note.find("running on the CPU instead"), std::string::npos) << note;

    const auto cpu = Model::load(test::parityModelDir());
    EXPECT_TRUE(cpu->deviceNote().empty());
    std::vector<int32_t> tokens(12);
    std::iota(tokens.begin(), tokens.end(), 1);
    tokens[5] = cpu->config().maskId;
    EXPECT_EQ(fallback->logProbs(tokens, 4), cpu->logProbs(tokens, 4));
}

} // namespace
} // namespace bd3
