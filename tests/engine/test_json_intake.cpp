// The one intake for JSON from outside: depth, size and duplicate keys, and
// the files it reads (a FIFO is refused without waiting on it).
#include "error_message.hpp"
#include "test_support.hpp"

#include "bd3/model.hpp"
#include "bd3/trace.hpp"
#include "json_document.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace bd3 {
namespace {

namespace fs = std::filesystem;

std::string nested(size_t depth, const std::string& inner = "1")
{
    return std::string(depth, '[') + inner + std::string(depth, ']');
}

TEST(JsonIntake, DeepValuesAreAnErrorNotACrash)
{
    EXPECT_NO_THROW(parseJsonDocument(nested(kMaxJsonDepth - 1), "x", 1 << 20));
    const std::string message = test::errorMessage([] { parseJsonDocument(nested(100'000), "deep.json", 1 << 20); });
    EXPECT_NE(message.find("deep.json: values nested more than 64 deep"), std::string::npos) << message;
    // A trace's "format" is quoted in its error: a deep one is refused first.
    const std::string trace = R"({"format": )" + nested(100'000) + "}";
    EXPECT_NE(test::errorMessage([&] { parseTrace(trace); }).find("nested more than 64 deep"), std::string::npos);
}

TEST(JsonIntake, DuplicateKeysAndOversizedTextAreRefused)
{
    EXPECT_NE(test::errorMessage([] { parseJsonDocument(R"({"a": {"b": 1, "b": 2}})", "c.json", 1 << 20); })
                  .find("c.json: the key \"b\" appears twice in one object"),
              std::string::npos);
    // The same key in sibling objects is fine.
    EXPECT_NO_THROW(parseJsonDocument(R"([{"b": 1}, {"b": 2}])", "c.json", 1 << 20));
    EXPECT_NE(test::errorMessage([] { parseJsonDocument(std::string(2000, ' ') + "1", "big.json", 1000); })
                  .find("big.json: 2001 bytes, over the"),
              std::string::npos);
}

TEST(JsonIntake, QuotationsAreShort)
{
    EXPECT_EQ(quoteJson(nlohmann::json(std::string(500, 'x'))).size(), 60U + std::string("... (502 characters)").size());
    EXPECT_EQ(quoteJson(nlohmann::json::parse(R"(["a", 2])")), R"(["a",2])");
    EXPECT_EQ(quoteJson(nlohmann::json::parse(R"([[1]])")), "an array");
    EXPECT_EQ(quoteJson(nlohmann::json::parse(R"({"k": 1})")), "an object");
    EXPECT_EQ(quoteJson(nlohmann::json("\x1b[31m")), R"("\u001b[31m")");
}

TEST(JsonIntake, ModelFilesGoThroughIt)
{
    test::ScratchDir dir;
    const fs::path folder = test::copyParityModel(dir.path());
    const std::string config = test::readFile(folder / "config.json");

    // A duplicate key in config.json.
    test::writeFile(folder / "config.json", "{\"hidden_dim\": 1, " + config.substr(config.find('{') + 1));
    EXPECT_NE(test::errorMessage([&] { Model::load(folder); }).find("the key \"hidden_dim\" appears twice"),
              std::string::npos);

    // A config.json larger than any config: refused before it is read.
    test::writeFile(folder / "config.json", config);
    fs::resize_file(folder / "config.json", kMaxSettingsFileBytes + 1);
    EXPECT_NE(test::errorMessage([&] { Model::load(folder); }).find("over the 16 MiB this file may hold"),
              std::string::npos);

    // A FIFO named config.json or model.safetensors: refused, not waited on.
    for (const char* name : {"config.json", "model.safetensors"}) {
        test::writeFile(folder / "config.json", config);
        const fs::path saved = dir.path() / "saved";
        fs::rename(folder / name, saved);
        ASSERT_EQ(::mkfifo((folder / name).c_str(), 0600), 0);
        const std::string message = test::errorMessage([&] { Model::load(folder); });
        EXPECT_NE(message.find(std::string(name) + ": not a regular file"), std::string::npos) << message;
        fs::remove(folder / name);
        fs::rename(saved, folder / name);
    }
}

} // namespace
} // namespace bd3
