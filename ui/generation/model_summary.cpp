#include "generation/model_summary.hpp"

#include "bd3/utf8.hpp"

#include <QDir>

ModelSummary ModelSummary::of(const bd3::Model& model)
{
    const bd3::ModelConfig& config = model.config();
    ModelSummary summary;
    summary.folder = QString::fromStdString(model.folder().string());
    summary.name = QDir(summary.folder).dirName();
    summary.device = QString::fromUtf8(bd3::deviceName(model.device()));
    summary.deviceNote = QString::fromStdString(model.deviceNote());
    summary.threads = static_cast<int>(model.threads());
    summary.weightType = QString::fromStdString(model.weightType());
    summary.parameterCount = model.parameterCount();
    summary.contextLength = config.contextLength;
    summary.configBlockSize = config.blockSize;
    summary.trainedBlockSizes.assign(config.trainedBlockSizes.begin(), config.trainedBlockSizes.end());
    summary.maskId = config.maskId;
    summary.eosId = config.eosId;
    summary.family = QString::fromStdString(config.familyName);
    summary.defaults = bd3::samplingDefaults(config);
    summary.defaultsFromGenerationConfig = config.defaults;
    if (const bd3::ChatTemplate* chat = model.chatTemplate()) summary.chatTemplate = std::make_shared<bd3::ChatTemplate>(*chat);
    summary.chatTemplateProblem = QString::fromStdString(model.chatTemplateProblem());

    // Whitespace shows as visible marks so a token cell is never blank.
    auto pieces = std::make_shared<QStringList>();
    pieces->reserve(config.vocabSize);
    const bd3::Tokenizer& tokenizer = model.tokenizer();
    for (int32_t id = 0; id < config.vocabSize; ++id) {
        QString text;
        if (id == config.maskId) {
            text = QStringLiteral("[MASK]");
        } else if (id == config.eosId || id == config.bosId) {
            text = id == config.eosId ? QStringLiteral("⟨eos⟩") : QStringLiteral("⟨bos⟩");
        } else if (id < tokenizer.size()) {
            text = QString::fromStdString(bd3::validUtf8(tokenizer.decode(std::span(&id, 1))));
            text.replace(QLatin1Char('\n'), QStringLiteral("⏎")).replace(QLatin1Char('\t'), QStringLiteral("⇥"));
        }
        if (text.isEmpty()) text = QStringLiteral("·");
        pieces->append(text);
    }
    summary.pieces = std::move(pieces);
    return summary;
}
