#include "controls_dock.hpp"

#include "bd3/error.hpp"
#include "bd3/parameters_json.hpp"

#include "bd3/devices.hpp"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <thread>

namespace {

QDoubleSpinBox* makeDoubleBox(double minimum, double maximum, double step, int decimals)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(minimum, maximum);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    return box;
}

template <typename Enum>
void selectData(QComboBox* box, Enum value)
{
    box->setCurrentIndex(std::max(0, box->findData(static_cast<int>(value))));
}

template <typename Enum>
Enum currentEnum(const QComboBox* box)
{
    return static_cast<Enum>(box->currentData().toInt());
}

} // namespace

ControlsDock::ControlsDock(QWidget* parent) : QDockWidget(tr("Controls"), parent)
{
    setObjectName(QStringLiteral("controlsDock"));
    auto* body = new QWidget;
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_blockSize = new QSpinBox;
    m_blockSize->setRange(1, m_contextLength);
    m_blockSize->setToolTip(tr("Tokens per block: blocks are written left to right, and the tokens inside a block are revealed together over a few steps."));
    auto* presets = new QHBoxLayout;
    presets->setSpacing(2);
    const std::pair<int, QString> presetSizes[] = {{1, tr("1 · AR")}, {4, QStringLiteral("4")}, {8, QStringLiteral("8")}, {16, QStringLiteral("16")}};
    for (const auto& [size, label] : presetSizes) {
        auto* button = new QToolButton;
        button->setText(label);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        button->setObjectName(QStringLiteral("blockPreset%1").arg(size));
        button->setToolTip(size == 1 ? tr("Block size 1 is an autoregressive model: one token at a time, left to right.")
                                     : tr("Use blocks of %n tokens.", nullptr, size));
        connect(button, &QToolButton::clicked, this, [this, size = size] { m_blockSize->setValue(size); });
        presets->addWidget(button);
    }
    m_wholeContext = new QToolButton;
    m_wholeContext->setText(tr("MDLM"));
    m_wholeContext->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_wholeContext->setObjectName(QStringLiteral("blockPresetWhole"));
    m_wholeContext->setToolTip(tr("One block as long as the whole context: plain masked diffusion (MDLM)."));
    connect(m_wholeContext, &QToolButton::clicked, this, [this] { m_blockSize->setValue(m_contextLength); });
    presets->addWidget(m_wholeContext);
    form->addRow(tr("Block size"), m_blockSize);
    form->addRow(QString(), presets);

    m_steps = new QSpinBox;
    m_steps->setRange(1, bd3::kMaxStepsPerBlock);
    m_steps->setToolTip(tr("Denoising steps per block: fewer steps reveal more tokens at once, faster but less careful."));
    form->addRow(tr("Steps per block"), m_steps);

    m_schedule = new QComboBox;
    const std::pair<bd3::ScheduleKind, QString> schedules[] = {
        {bd3::ScheduleKind::LogLinear, tr("Log-linear")}, {bd3::ScheduleKind::Cosine, tr("Cosine")},
        {bd3::ScheduleKind::Square, tr("Square")},        {bd3::ScheduleKind::SquareRoot, tr("Square root")},
        {bd3::ScheduleKind::Log, tr("Log")},              {bd3::ScheduleKind::Clipped, tr("Clipped [β, ω]")},
    };
    for (const auto& [kind, label] : schedules) m_schedule->addItem(label, static_cast<int>(kind));
    m_schedule->setToolTip(tr("The schedule sets how many tokens are expected to stay masked after each step."));
    form->addRow(tr("Schedule"), m_schedule);
    m_beta = makeDoubleBox(0.0, 1.0, 0.05, 2);
    m_beta->setToolTip(tr("Clipped schedule: the masked fraction the last steps go down to before the final reveal."));
    m_omega = makeDoubleBox(0.0, 1.0, 0.05, 2);
    m_omega->setToolTip(tr("Clipped schedule: the masked fraction right after the first step."));
    auto* clip = new QHBoxLayout;
    clip->addWidget(m_beta);
    clip->addWidget(m_omega);
    form->addRow(tr("β, ω"), clip);

    m_sampler = new QComboBox;
    const std::pair<bd3::SamplerKind, QString> samplers[] = {
        {bd3::SamplerKind::Ddpm, tr("DDPM step")},
        {bd3::SamplerKind::FirstHitting, tr("First hitting")},
        {bd3::SamplerKind::TopKConfidence, tr("Top-k confidence")},
        {bd3::SamplerKind::Threshold, tr("Threshold")},
        {bd3::SamplerKind::LowConfidenceStatic, tr("Low confidence, static (SDAR)")},
        {bd3::SamplerKind::LowConfidenceDynamic, tr("Low confidence, dynamic (SDAR)")},
        {bd3::SamplerKind::Sequential, tr("Sequential (left to right)")},
    };
    for (const auto& [kind, label] : samplers) m_sampler->addItem(label, static_cast<int>(kind));
    m_sampler->setToolTip(tr("How a step picks the tokens to reveal: at random at the schedule's pace (DDPM), one at a time (first hitting), the most confident ones (top-k), or all above a threshold; SDAR's strategies reveal an even share of the block per step, the most confident first (static), all above the threshold when enough are (dynamic), or left to right (sequential)."));
    form->addRow(tr("Sampler"), m_sampler);

    m_confidence = new QComboBox;
    m_confidence->addItem(tr("Probability"), static_cast<int>(bd3::ConfidenceMeasure::Probability));
    m_confidence->addItem(tr("Low entropy"), static_cast<int>(bd3::ConfidenceMeasure::NegativeEntropy));
    m_confidence->addItem(tr("Top-2 margin"), static_cast<int>(bd3::ConfidenceMeasure::Margin));
    m_confidence->setToolTip(tr("How sure the model is about a position: the chosen token's probability, how peaked the distribution is, or the gap between the two best tokens."));
    form->addRow(tr("Confidence"), m_confidence);
    m_threshold = makeDoubleBox(0.0, 1.0, 0.05, 2);
    m_threshold->setToolTip(tr("Threshold sampler: every masked token at least this confident is revealed, and at least one per step."));
    form->addRow(tr("Threshold"), m_threshold);

    m_subBlock = new QSpinBox;
    m_subBlock->setRange(0, 4096);
    m_subBlock->setSpecialValueText(tr("off"));
    m_subBlock->setToolTip(tr("Threshold sampler: decode each block in sub-blocks of this many tokens, one after another, as Fast-dLLM v2 does."));
    form->addRow(tr("Sub-block"), m_subBlock);

    m_temperature = makeDoubleBox(0.0, 5.0, 0.05, 2);
    m_temperature->setSpecialValueText(tr("0 (greedy)"));
    m_temperature->setToolTip(tr("Temperature: below 1 the model picks its favourite tokens more often, above 1 it takes more chances; 0 always takes the most probable token."));
    form->addRow(tr("Temperature"), m_temperature);
    m_topK = new QSpinBox;
    m_topK->setRange(0, 1 << 20);
    m_topK->setSpecialValueText(tr("all"));
    m_topK->setToolTip(tr("Top-k: only the k most probable tokens can be drawn (before top-p)."));
    form->addRow(tr("Top-k"), m_topK);
    m_topP = makeDoubleBox(0.01, 1.0, 0.05, 2);
    m_topP->setToolTip(tr("Nucleus sampling: only the most probable tokens that together hold this much probability can be drawn."));
    form->addRow(tr("Top-p"), m_topP);
    m_origin = new QLabel;
    m_origin->setObjectName(QStringLiteral("defaultsOrigin"));
    m_origin->setWordWrap(true);
    m_origin->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_origin->setVisible(false);
    form->addRow(QString(), m_origin);

    m_fixedSeed = new QCheckBox(tr("Fixed"));
    m_fixedSeed->setToolTip(tr("With a fixed seed the same settings write the same text again; otherwise every generation draws a new seed."));
    m_seed = new QSpinBox;
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setToolTip(m_fixedSeed->toolTip());
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(m_fixedSeed);
    seedRow->addWidget(m_seed, 1);
    form->addRow(tr("Seed"), seedRow);

    m_tokenLimit = new QSpinBox;
    m_tokenLimit->setRange(1, 1'000'000);
    m_tokenLimit->setToolTip(tr("The most new tokens one generation writes."));
    form->addRow(tr("Token limit"), m_tokenLimit);
    m_stopAtEos = new QCheckBox(tr("Stop at end of text"));
    m_stopAtEos->setToolTip(tr("Stop when the model writes its end-of-sequence token, so the length is the model's choice."));
    form->addRow(QString(), m_stopAtEos);

    m_device = new QComboBox;
    m_device->setObjectName(QStringLiteral("deviceChoice"));
    const bd3::DeviceReport devices = bd3::availableDevices();
    for (const bd3::DeviceInfo& device : devices.devices)
        m_device->addItem(QString::fromStdString(device.name), static_cast<int>(device.device));
    if (m_device->findData(static_cast<int>(bd3::Device::Cuda)) < 0) {
        // Shown but not selectable, with the reason, so a person looking for
        // their GPU learns why it is not offered.
        m_device->addItem(tr("NVIDIA GPU (not available)"), static_cast<int>(bd3::Device::Cuda));
        QStandardItem* gpu = qobject_cast<QStandardItemModel*>(m_device->model())->item(m_device->count() - 1);
        gpu->setEnabled(false);
        gpu->setToolTip(QString::fromStdString(devices.cudaStatus));
    }
    m_device->setToolTip(tr("Where the network runs; a new device takes effect when a model is loaded."));
    form->addRow(tr("Device"), m_device);

    m_threads = new QSpinBox;
    m_threads->setObjectName(QStringLiteral("threadsBox"));
    const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    m_threads->setRange(1, cores);
    m_threads->setValue(cores);
    m_threads->setToolTip(tr("CPU threads the network runs on; fewer leave cores to other programs. "
                             "Takes effect when a model is loaded."));
    form->addRow(tr("CPU threads"), m_threads);

    m_restart = new QPushButton;
    auto* layout = new QVBoxLayout(body);
    layout->addLayout(form);
    layout->addWidget(m_restart);
    layout->addStretch(1);
    m_restart->setVisible(false);
    setWidget(body);

    setSamplingParams(bd3::SamplingParams{});
    m_tokenLimit->setValue(256);
    m_stopAtEos->setChecked(true);

    for (QSpinBox* box : {m_blockSize, m_steps, m_topK, m_subBlock})
        connect(box, &QSpinBox::valueChanged, this, &ControlsDock::announce);
    for (QDoubleSpinBox* box : {m_beta, m_omega, m_threshold, m_temperature, m_topP})
        connect(box, &QDoubleSpinBox::valueChanged, this, &ControlsDock::announce);
    for (QComboBox* box : {m_schedule, m_sampler, m_confidence})
        connect(box, &QComboBox::currentIndexChanged, this, &ControlsDock::announce);
    connect(m_fixedSeed, &QCheckBox::toggled, m_seed, &QWidget::setEnabled);
    connect(this, &ControlsDock::parametersChanged, this, &ControlsDock::showDefaultsOrigin);
    updateEnabledStates();
}

void ControlsDock::setModelDefaults(const bd3::SamplingParams& defaults, const bd3::GenerationDefaults& fromGenerationConfig,
                                   const QString& family, bool allOfThem)
{
    bd3::SamplingParams p = allOfThem ? defaults : samplingParams();
    if (fromGenerationConfig.temperature) p.temperature = defaults.temperature;
    if (fromGenerationConfig.topK) p.topK = defaults.topK;
    if (fromGenerationConfig.topP) p.topP = defaults.topP;
    // In the order of m_originOf: temperature, top-k, top-p.
    const bool fromFile[] = {fromGenerationConfig.temperature.has_value(), fromGenerationConfig.topK.has_value(),
                             fromGenerationConfig.topP.has_value()};
    const double values[] = {defaults.temperature, static_cast<double>(defaults.topK), defaults.topP};
    for (int i = 0; i < 3; ++i) {
        if (!fromFile[i] && !allOfThem) continue;
        m_originOf[i] = fromFile[i] ? QStringLiteral("generation_config.json") : family;
        m_originValue[i] = values[i];
    }
    setSamplingParams(p);
}

QString ControlsDock::defaultsOrigin() const { return m_origin->text(); }

void ControlsDock::showDefaultsOrigin()
{
    // A value keeps its origin while it is the value that came from there.
    const double now[] = {m_temperature->value(), static_cast<double>(m_topK->value()), m_topP->value()};
    const QString names[] = {tr("Temperature"), tr("Top-k"), tr("Top-p")};
    QStringList fromFile;
    QStringList fromFamily;
    QString family;
    for (int i = 0; i < 3; ++i) {
        if (m_originOf[i].isEmpty() || std::abs(now[i] - m_originValue[i]) > 1e-9) {
            m_originOf[i].clear();
            continue;
        }
        if (m_originOf[i] == QStringLiteral("generation_config.json")) {
            fromFile << names[i];
        } else {
            fromFamily << names[i];
            family = m_originOf[i];
        }
    }
    QStringList lines;
    if (!fromFile.isEmpty()) lines << tr("%1: from the model's generation_config.json").arg(fromFile.join(QStringLiteral(", ")));
    if (!fromFamily.isEmpty()) lines << tr("%1: the %2 family's defaults").arg(fromFamily.join(QStringLiteral(", ")), family);
    m_origin->setText(lines.join(QLatin1Char('\n')));
    m_origin->setVisible(!lines.isEmpty());
}

void ControlsDock::setRestartAction(QAction* action)
{
    m_restart->setText(action->text());
    m_restart->setToolTip(action->toolTip());
    m_restart->setVisible(true);
    connect(m_restart, &QPushButton::clicked, action, &QAction::trigger);
    connect(action, &QAction::changed, m_restart, [this, action] { m_restart->setEnabled(action->isEnabled()); });
    m_restart->setEnabled(action->isEnabled());
}

bd3::SamplingParams ControlsDock::samplingParams() const
{
    bd3::SamplingParams p;
    p.blockSize = m_blockSize->value();
    p.steps = m_steps->value();
    p.schedule = {currentEnum<bd3::ScheduleKind>(m_schedule), m_beta->value(), m_omega->value()};
    p.sampler = currentEnum<bd3::SamplerKind>(m_sampler);
    p.confidence = currentEnum<bd3::ConfidenceMeasure>(m_confidence);
    p.threshold = m_threshold->value();
    p.temperature = m_temperature->value();
    p.topP = m_topP->value();
    p.topK = m_topK->value();
    p.subBlockSize = m_subBlock->value();
    p.topAlternatives = 5;  // for the editor's hover and the timeline's tooltips
    return p;
}

bd3::GenerationOptions ControlsDock::generationOptions() const
{
    bd3::GenerationOptions o;
    o.seed = m_fixedSeed->isChecked() ? static_cast<uint64_t>(m_seed->value()) : QRandomGenerator::global()->generate64();
    o.maxNewTokens = m_tokenLimit->value();
    o.stopAtEos = m_stopAtEos->isChecked();
    o.keepPromptTail = true;  // a long document is continued from its latest text
    return o;
}

bd3::LoadOptions ControlsDock::loadOptions() const
{
    bd3::LoadOptions options;
    options.device = static_cast<bd3::Device>(m_device->currentData().toInt());
    options.threads = static_cast<unsigned>(m_threads->value());
    return options;
}

void ControlsDock::setSamplingParams(const bd3::SamplingParams& p)
{
    m_updating = true;
    m_blockSize->setValue(p.blockSize);
    m_steps->setValue(p.steps);
    selectData(m_schedule, p.schedule.kind);
    m_beta->setValue(p.schedule.beta);
    m_omega->setValue(p.schedule.omega);
    selectData(m_sampler, p.sampler);
    selectData(m_confidence, p.confidence);
    m_threshold->setValue(p.threshold);
    m_temperature->setValue(p.temperature);
    m_topP->setValue(p.topP);
    m_topK->setValue(p.topK);
    m_subBlock->setValue(p.subBlockSize);
    m_updating = false;
    announce();
}

void ControlsDock::setContextLength(int tokens)
{
    m_contextLength = tokens;
    m_blockSize->setMaximum(tokens);
    m_wholeContext->setToolTip(tr("One block as long as the whole context (%n tokens): plain masked diffusion (MDLM).", nullptr, tokens));
}

void ControlsDock::updateEnabledStates()
{
    const auto sampler = currentEnum<bd3::SamplerKind>(m_sampler);
    const bool clipped = currentEnum<bd3::ScheduleKind>(m_schedule) == bd3::ScheduleKind::Clipped;
    m_beta->setEnabled(clipped);
    m_omega->setEnabled(clipped);
    const bool byThreshold = sampler == bd3::SamplerKind::Threshold || sampler == bd3::SamplerKind::LowConfidenceDynamic;
    m_confidence->setEnabled(sampler == bd3::SamplerKind::TopKConfidence || byThreshold ||
                             sampler == bd3::SamplerKind::LowConfidenceStatic);
    m_threshold->setEnabled(byThreshold);
    m_subBlock->setEnabled(sampler == bd3::SamplerKind::Threshold);
    m_steps->setEnabled(sampler != bd3::SamplerKind::FirstHitting && sampler != bd3::SamplerKind::Threshold);
    m_seed->setEnabled(m_fixedSeed->isChecked());
}

void ControlsDock::announce()
{
    updateEnabledStates();
    if (!m_updating) Q_EMIT parametersChanged(samplingParams());
}

QJsonObject ControlsDock::parametersJson() const
{
    // The sampling parameters in the engine's codec, which traces use too;
    // the studio's own settings of a generation beside them.
    QJsonObject json =
        QJsonDocument::fromJson(QByteArray::fromStdString(bd3::samplingParamsJson(samplingParams()))).object();
    json.insert(QStringLiteral("fixed_seed"), m_fixedSeed->isChecked());
    json.insert(QStringLiteral("seed"), m_seed->value());
    json.insert(QStringLiteral("max_new_tokens"), m_tokenLimit->value());
    json.insert(QStringLiteral("stop_at_eos"), m_stopAtEos->isChecked());
    return json;
}

QString ControlsDock::setParametersJson(const QJsonObject& json)
{
    bd3::SamplingParams p;
    try {
        p = bd3::parseSamplingParams(QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString(), "parameters");
    } catch (const bd3::Error& error) {
        return tr("The parameters are not valid: %1").arg(QString::fromUtf8(error.what()));
    }
    const QJsonValue tokens = json.value(QStringLiteral("max_new_tokens"));
    if (!tokens.isUndefined() && tokens.toInt(0) < 1)
        return tr("The parameters are not valid: the token limit must be at least 1.");
    if (p.blockSize > m_blockSize->maximum()) m_blockSize->setMaximum(p.blockSize);
    setSamplingParams(p);
    m_fixedSeed->setChecked(json.value(QStringLiteral("fixed_seed")).toBool(false));
    m_seed->setValue(json.value(QStringLiteral("seed")).toInt(0));
    m_tokenLimit->setValue(tokens.toInt(256));
    m_stopAtEos->setChecked(json.value(QStringLiteral("stop_at_eos")).toBool(true));
    return {};
}

namespace {

const QString kParametersKey = QStringLiteral("generation/parameters");

// Settings written before the parameters had one codec: a group of
// camelCase keys, renamed here to the codec's.
QJsonObject parametersOfEarlierSettings(const QSettings& settings)
{
    struct Renamed {
        const char* before;
        const char* now;
        enum { Number, Name, Flag } kind;
    };
    static const Renamed renamed[] = {
        {"blockSize", "block_size", Renamed::Number}, {"steps", "steps", Renamed::Number},
        {"schedule", "schedule", Renamed::Name},      {"beta", "beta", Renamed::Number},
        {"omega", "omega", Renamed::Number},          {"sampler", "sampler", Renamed::Name},
        {"confidence", "confidence", Renamed::Name},  {"threshold", "threshold", Renamed::Number},
        {"temperature", "temperature", Renamed::Number}, {"topP", "top_p", Renamed::Number},
        {"topK", "top_k", Renamed::Number},           {"subBlock", "sub_block_size", Renamed::Number},
        {"fixedSeed", "fixed_seed", Renamed::Flag},   {"seed", "seed", Renamed::Number},
        {"tokenLimit", "max_new_tokens", Renamed::Number}, {"stopAtEos", "stop_at_eos", Renamed::Flag},
    };
    QJsonObject json;
    for (const Renamed& key : renamed) {
        const QVariant value = settings.value(QStringLiteral("parameters/") + QLatin1String(key.before));
        if (!value.isValid()) continue;
        const QString now = QLatin1String(key.now);
        if (key.kind == Renamed::Name) json.insert(now, value.toString());
        else if (key.kind == Renamed::Flag) json.insert(now, value.toBool());
        else json.insert(now, value.toDouble());
    }
    return json;
}

} // namespace

void ControlsDock::saveSettings(QSettings& settings) const
{
    settings.setValue(kParametersKey, QString::fromUtf8(QJsonDocument(parametersJson()).toJson(QJsonDocument::Compact)));
    settings.remove(QStringLiteral("parameters"));
    settings.setValue(QStringLiteral("engine/threads"), m_threads->value());
}

void ControlsDock::restoreSettings(const QSettings& settings)
{
    const QJsonObject json = settings.contains(kParametersKey)
                                 ? QJsonDocument::fromJson(settings.value(kParametersKey).toString().toUtf8()).object()
                                 : parametersOfEarlierSettings(settings);
    // Values from another version or typed by hand fall back to the defaults.
    if (!setParametersJson(json).isEmpty()) setSamplingParams(bd3::SamplingParams{});
    // The spin box bounds it by this machine's cores.
    m_threads->setValue(settings.value(QStringLiteral("engine/threads"), m_threads->maximum()).toInt());
}
