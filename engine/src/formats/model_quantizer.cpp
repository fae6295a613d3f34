// bd3 quantize: a model folder copied with its matrices in Q8_0 or Q4_0.
// Tensors are read, quantized and written one at a time, so the memory it
// takes is that of the largest tensor, not of the model.
#include "bd3/quantize.hpp"

#include "bd3/error.hpp"
#include "formats/model_weights.hpp"
#include "formats/quantized_blocks.hpp"
#include "formats/safetensors_writer.hpp"
#include "json_document.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <fcntl.h>
#include <unistd.h>

namespace bd3 {

namespace {

namespace fs = std::filesystem;

DType dtypeOf(QuantizedType type) { return type == QuantizedType::Q8_0 ? DType::Q8_0 : DType::Q4_0; }

// Why a matrix is copied as it is; empty when it is quantized. Every matrix
// that can be is quantized, small ones too: a layer's q, k and v become one
// product at load, and must share a type.
std::string keptBecause(const TensorInfo& info)
{
    if (info.shape[1] % kQuantBlock != 0) return std::to_string(info.shape[1]) + " columns are not whole blocks of 32";
    return {};
}

StoredTensor quantized(const StoredTensor& tensor, DType type)
{
    StoredTensor out{tensor.name, type, tensor.shape, {}};
    const size_t stride = rowBytes(type, tensor.shape[1]);
    out.bytes.resize(static_cast<size_t>(tensor.shape[0]) * stride);
    std::vector<float> row(static_cast<size_t>(tensor.shape[1]));
    for (int64_t r = 0; r < tensor.shape[0]; ++r) {
        rowToFloat(tensor.dtype, tensor.bytes.data() + static_cast<size_t>(r) * rowBytes(tensor.dtype, tensor.shape[1]),
                   tensor.shape[1], row.data());
        quantizeRow(type, row.data(), static_cast<int32_t>(tensor.shape[1]), out.bytes.data() + static_cast<size_t>(r) * stride);
    }
    return out;
}

// Flushes a written file to the disk before the folder is put in place.
void syncFile(const fs::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path.string() + ": cannot open to sync: " + std::strerror(errno));
    const int result = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (result != 0) throw Error(path.string() + ": sync failed: " + std::strerror(error));
}

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw Error(path.string() + ": write failed: " + std::strerror(errno));
}

bool isWeightsFile(const fs::path& path)
{
    return path.extension() == ".safetensors" || path.filename() == "model.safetensors.index.json";
}

struct Shard {
    std::string file;
    std::vector<TensorEntry> entries;
    uint64_t bytes = 0;
};

QuantizeReport writeFolder(const fs::path& in, const fs::path& partial, const QuantizeOptions& options)
{
    const DType type = dtypeOf(options.type);
    ModelWeights weights(in);
    const nlohmann::json config =
        parseJsonDocument(readInputFile(in / "config.json", kMaxSettingsFileBytes), (in / "config.json").string(),
                          kMaxSettingsFileBytes);
    if (!config.is_object()) throw Error((in / "config.json").string() + ": not a JSON object");
    if (config.contains("quantization_config"))
        throw Error((in / "config.json").string() +
                    ": the model is already quantized (it has a quantization_config); quantize from its float weights");

    QuantizeReport report;
    std::vector<Shard> shards(1);
    std::vector<bool> quantize;
    for (const std::string& name : weights.tensorNames()) {
        const TensorInfo& info = weights.info(name);
        if (isQuantized(info.dtype))
            throw Error(weights.origin() + ": tensor '" + name + "' is already " + std::string(dtypeName(info.dtype)) +
                        "; quantize from the float weights");
        const bool matrix = info.shape.size() == 2;
        const std::string reason = matrix ? keptBecause(info) : std::string();
        TensorEntry entry{name, matrix && reason.empty() ? type : info.dtype, info.shape};
        if (!matrix) {
            ++report.vectors;
        } else if (reason.empty()) {
            ++report.quantizedTensors;
        } else {
            report.kept.push_back(name + ": " + reason);
        }
        if (!shards.back().entries.empty() && shards.back().bytes + entry.bytes() > options.shardBytes) shards.emplace_back();
        shards.back().bytes += entry.bytes();
        shards.back().entries.push_back(std::move(entry));
        report.bytesIn += info.bytes;
    }
    report.shards = static_cast<int32_t>(shards.size());
    for (size_t i = 0; i < shards.size(); ++i) {
        if (shards.size() == 1) {
            shards[i].file = "model.safetensors";
        } else {
            char file[64];
            std::snprintf(file, sizeof file, "model-%05zu-of-%05zu.safetensors", i + 1, shards.size());
            shards[i].file = file;
        }
    }

    uint64_t done = 0;
    nlohmann::json weightMap = nlohmann::json::object();
    for (const Shard& shard : shards) {
        SafetensorsWriter writer(partial / shard.file, shard.entries);
        for (const TensorEntry& entry : shard.entries) {
            const StoredTensor tensor = weights.read(entry.name);
            writer.write(entry.dtype == tensor.dtype ? tensor : quantized(tensor, entry.dtype));
            weightMap[entry.name] = shard.file;
            done += weights.info(entry.name).bytes;
            if (options.progress) options.progress(static_cast<double>(done) / static_cast<double>(std::max<uint64_t>(report.bytesIn, 1)));
        }
        writer.finish();
        report.bytesOut += shard.bytes;
    }
    if (shards.size() > 1)
        writeText(partial / "model.safetensors.index.json",
                  nlohmann::json{{"metadata", {{"total_size", report.bytesOut}}}, {"weight_map", weightMap}}.dump(2) + "\n");

    nlohmann::json quantizedConfig = config;
    quantizedConfig["quantization_config"] = {
        {"quant_method", "bd3"}, {"weight_type", std::string(quantizedTypeName(options.type))}, {"block_size", kQuantBlock}};
    writeText(partial / "config.json", quantizedConfig.dump(2) + "\n");

    // Every other file of the folder (tokenizer, chat template, generation
    // settings, model card) as it is.
    for (const fs::directory_entry& file : fs::directory_iterator(in)) {
        const fs::path name = file.path().filename();
        if (!file.is_regular_file() || name == "config.json" || isWeightsFile(name)) continue;
        fs::copy_file(file.path(), partial / name);
    }
    for (const fs::directory_entry& file : fs::directory_iterator(partial)) syncFile(file.path());
    // The loader's own checks of what was written: headers, shapes, index.
    ModelWeights written(partial);
    if (written.tensorNames().size() != weights.tensorNames().size())
        throw Error("internal: " + partial.string() + " does not hold every tensor");
    return report;
}

} // namespace

std::optional<QuantizedType> parseQuantizedType(std::string_view text)
{
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "q8_0") return QuantizedType::Q8_0;
    if (lower == "q4_0") return QuantizedType::Q4_0;
    return std::nullopt;
}

std::string_view quantizedTypeName(QuantizedType type) { return type == QuantizedType::Q8_0 ? "q8_0" : "q4_0"; }

QuantizeReport quantizeModel(const fs::path& in, const fs::path& out, const QuantizeOptions& options)
{
    std::error_code ec;
    if (!fs::is_directory(in, ec)) throw Error(in.string() + ": not a model folder");
    if (fs::exists(out, ec)) throw Error(out.string() + ": already exists; bd3 quantize writes a new folder");
    const fs::path target = fs::absolute(out);
    const fs::path partial = target.parent_path() / ("." + target.filename().string() + ".partial");
    if (!fs::is_directory(target.parent_path(), ec))
        throw Error(out.string() + ": the folder it would go in does not exist");
    fs::remove_all(partial, ec);
    if (!fs::create_directory(partial, ec))
        throw Error(partial.string() + ": cannot create: " + ec.message());
    try {
        QuantizeReport report = writeFolder(in, partial, options);
        fs::rename(partial, target);
        syncFile(target.parent_path());
        return report;
    } catch (const fs::filesystem_error& error) {
        fs::remove_all(partial, ec);
        throw Error(error.what());
    } catch (...) {
        fs::remove_all(partial, ec);
        throw;
    }
}

} // namespace bd3
