// What the window needs to know of a loaded model, copied out of the engine
// on the worker thread so the UI never touches the model itself.
#pragma once

#include "bd3/chat.hpp"
#include "bd3/sampling.hpp"
#include "bd3/model.hpp"

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

struct ModelSummary {
    QString folder;
    QString name;    // the folder's name
    QString device;  // "cpu" or "cuda"
    QString deviceNote;  // why it runs on the CPU though CUDA was asked for
    int threads = 1;     // CPU threads of its passes
    QString weightType;  // "f32", "bf16", "q8_0", ...
    qint64 parameterCount = 0;
    int contextLength = 0;
    int configBlockSize = 0;
    std::vector<int> trainedBlockSizes;
    int32_t maskId = 0;
    int32_t eosId = 0;
    std::shared_ptr<const QStringList> pieces;  // display text of every id
    QString family;                  // the engine's family name ("bd3lm", "qwen3", "qwen2")
    bd3::SamplingParams defaults;    // what the model's own code samples with
    // The defaults its generation_config.json sets; the others are the family's.
    bd3::GenerationDefaults defaultsFromGenerationConfig;
    // The model's conversation format; null when it only continues text, and
    // then chatTemplateProblem says why when it ships one that cannot be used.
    std::shared_ptr<const bd3::ChatTemplate> chatTemplate;
    QString chatTemplateProblem;

    static ModelSummary of(const bd3::Model& model);
};

Q_DECLARE_METATYPE(ModelSummary)
