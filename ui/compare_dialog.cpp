#include "compare_dialog.hpp"

#include "generation/engine_controller.hpp"

#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

CompareDialog::CompareDialog(EngineController* controller, QWidget* parent)
    : QDialog(parent), m_controller(controller)
{
    setObjectName(QStringLiteral("compareDialog"));
    setWindowTitle(tr("Compare Block Sizes"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("The same prompt, seed and sampler at several block sizes: block size 1 writes one "
                                "token per forward pass (autoregressive); larger blocks reveal several tokens per "
                                "pass; one block as long as the context is plain masked diffusion."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_promptLabel = new QLabel;
    m_promptLabel->setWordWrap(true);
    m_promptLabel->setTextFormat(Qt::PlainText);
    layout->addWidget(m_promptLabel);

    auto* form = new QFormLayout;
    m_sizes = new QLineEdit(QStringLiteral("1, 4, 16, context"));
    m_sizes->setObjectName(QStringLiteral("compareBlockSizes"));
    m_sizes->setToolTip(tr("Block sizes separated by commas; \"context\" is one block as long as the whole context."));
    form->addRow(tr("Block sizes"), m_sizes);
    m_steps = new QSpinBox;
    m_steps->setObjectName(QStringLiteral("compareSteps"));
    m_steps->setRange(1, 4096);
    m_steps->setToolTip(tr("Denoising steps per block (never more than the block has tokens)."));
    form->addRow(tr("Steps per block"), m_steps);
    m_tokens = new QSpinBox;
    m_tokens->setObjectName(QStringLiteral("compareTokens"));
    m_tokens->setRange(1, 100000);
    m_tokens->setValue(64);
    m_tokens->setToolTip(tr("New tokens each run writes."));
    form->addRow(tr("Tokens"), m_tokens);
    layout->addLayout(form);

    m_columnsLayout = new QHBoxLayout;
    layout->addLayout(m_columnsLayout, 1);
    m_status = new QLabel;
    layout->addWidget(m_status);

    auto* buttons = new QDialogButtonBox;
    m_runButton = buttons->addButton(tr("&Run"), QDialogButtonBox::ActionRole);
    m_runButton->setObjectName(QStringLiteral("compareRun"));
    m_stopButton = buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    m_stopButton->setObjectName(QStringLiteral("compareStop"));
    m_stopButton->setEnabled(false);
    buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(this, &QDialog::rejected, this, [this] {
        if (m_running) m_controller->stop();
    });
    connect(m_runButton, &QPushButton::clicked, this, [this] {
        if (const QString problem = run(); !problem.isEmpty()) m_status->setText(problem);
    });
    connect(m_stopButton, &QPushButton::clicked, m_controller, &EngineController::stop);

    connect(m_controller, &EngineController::compareRowFinished, this,
            [this](int row, int newTokens, int nfe, double seconds, const QString& text) {
                if (!m_running || row < 0 || row >= columnCount()) return;
                Column& column = m_columns[static_cast<size_t>(row)];
                column.summary->setText(tr("%1 tokens \u00b7 %2 NFEs \u00b7 %3 s \u00b7 %4 tokens/s")
                                            .arg(newTokens)
                                            .arg(nfe)
                                            .arg(seconds, 0, 'f', 2)
                                            .arg(seconds > 0 ? newTokens / seconds : 0.0, 0, 'f', 0));
                column.text->setPlainText(text);
                if (row + 1 < columnCount())
                    m_columns[static_cast<size_t>(row + 1)].summary->setText(tr("running\u2026"));
            });
    connect(m_controller, &EngineController::compareRowFailed, this, [this](int row, const QString& message) {
        if (!m_running || row < 0 || row >= columnCount()) return;
        m_columns[static_cast<size_t>(row)].summary->setText(tr("failed: %1").arg(message));
    });
    connect(m_controller, &EngineController::compareFinished, this, [this] {
        if (!m_running) return;
        m_running = false;
        m_runButton->setEnabled(true);
        m_stopButton->setEnabled(false);
        m_status->setText(tr("Done. NFEs are the network's forward passes: fewer per token means faster, and usually "
                             "less careful, text."));
        Q_EMIT finished();
    });
    resize(1100, 560);
}

void CompareDialog::setup(const QString& prompt, const bd3::SamplingParams& params,
                          const bd3::GenerationOptions& options, int contextLength)
{
    m_prompt = prompt;
    m_params = params;
    m_options = options;
    m_contextLength = contextLength;
    m_steps->setValue(params.steps);
    QString shown = prompt.right(240);
    if (shown.size() < prompt.size()) shown.prepend(QStringLiteral("\u2026"));
    m_promptLabel->setText(tr("Prompt: %1").arg(shown));
}

std::vector<int> CompareDialog::parseBlockSizes(const QString& text, int contextLength)
{
    std::vector<int> sizes;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString item = part.trimmed().toLower();
        if (item == QStringLiteral("context") || item == QStringLiteral("mdlm")) {
            sizes.push_back(contextLength);
            continue;
        }
        bool ok = false;
        const int size = item.toInt(&ok);
        if (!ok || size < 1 || size > contextLength) return {};
        sizes.push_back(size);
    }
    return sizes;
}

void CompareDialog::clearColumns()
{
    for (Column& column : m_columns) {
        QWidget* box = column.text->parentWidget();
        m_columnsLayout->removeWidget(box);
        delete box;
    }
    m_columns.clear();
}

QString CompareDialog::run()
{
    if (m_running) return tr("The comparison is already running.");
    const std::vector<int> sizes = parseBlockSizes(m_sizes->text(), m_contextLength);
    if (sizes.empty())
        return tr("Block sizes must be whole numbers from 1 to %1 or \"context\", separated by commas.")
            .arg(m_contextLength);
    bd3::GenerationOptions options = m_options;
    options.maxNewTokens = m_tokens->value();
    std::vector<bd3::SamplingParams> runs;
    for (int size : sizes) {
        bd3::SamplingParams p = m_params;
        p.blockSize = size;
        p.steps = std::min(m_steps->value(), size);
        p.topAlternatives = 0;
        runs.push_back(p);
    }
    const QString problem = m_controller->compare(m_prompt, runs, options);
    if (!problem.isEmpty()) return problem;

    clearColumns();
    for (size_t i = 0; i < runs.size(); ++i) {
        const int size = runs[i].blockSize;
        auto* box = new QGroupBox;
        auto* column = new QVBoxLayout(box);
        Column c;
        c.blockSize = size;
        QString title = size == 1 ? tr("Block size 1 (autoregressive)")
                        : size == m_contextLength ? tr("Block size %1 (whole context, MDLM)").arg(size)
                                                  : tr("Block size %1").arg(size);
        c.title = new QLabel(QStringLiteral("<b>%1</b><br>%2").arg(title.toHtmlEscaped(),
                                                                    tr("%n step(s) per block", nullptr, runs[i].steps)));
        c.summary = new QLabel(i == 0 ? tr("running\u2026") : tr("waiting"));
        c.summary->setObjectName(QStringLiteral("compareSummary%1").arg(i));
        c.text = new QPlainTextEdit;
        c.text->setReadOnly(true);
        c.text->setObjectName(QStringLiteral("compareText%1").arg(i));
        column->addWidget(c.title);
        column->addWidget(c.summary);
        column->addWidget(c.text, 1);
        m_columnsLayout->addWidget(box, 1);
        m_columns.push_back(c);
    }
    m_running = true;
    m_runButton->setEnabled(false);
    m_stopButton->setEnabled(true);
    m_status->setText(tr("Generating %n run(s) one after another\u2026", nullptr, static_cast<int>(runs.size())));
    return {};
}

QString CompareDialog::summary(int column) const
{
    return column >= 0 && column < columnCount() ? m_columns[static_cast<size_t>(column)].summary->text() : QString();
}

QString CompareDialog::text(int column) const
{
    return column >= 0 && column < columnCount() ? m_columns[static_cast<size_t>(column)].text->toPlainText()
                                                 : QString();
}

void CompareDialog::closeEvent(QCloseEvent* event)
{
    if (m_running) m_controller->stop();
    QDialog::closeEvent(event);
}
