#include "teaching/step_explainer.hpp"

#include "generation/generation_record.hpp"

#include <algorithm>
#include <cmath>

namespace {

QString scheduleLabel(const bd3::SamplingParams& params)
{
    return QString::fromUtf8(bd3::scheduleName(params.schedule.kind));
}

QString confidenceLabel(bd3::ConfidenceMeasure measure)
{
    switch (measure) {
    case bd3::ConfidenceMeasure::Probability: return StepExplainer::tr("probability");
    case bd3::ConfidenceMeasure::NegativeEntropy: return StepExplainer::tr("low entropy");
    case bd3::ConfidenceMeasure::Margin: return StepExplainer::tr("top-2 margin");
    }
    return {};
}

QString quoted(const GenerationRecord& record, int32_t token)
{
    QString text = record.tokenText(token).toHtmlEscaped();
    text.replace(QLatin1Char(' '), QStringLiteral("\u00b7"));
    text.replace(QLatin1Char('\n'), QStringLiteral("\u21b5"));
    return QStringLiteral("<code>\u201c%1\u201d</code>").arg(text);
}

QString number(double value, int decimals) { return QString::number(value, 'f', decimals); }

} // namespace

QString StepExplainer::explain(const GenerationRecord& record, int blockIndex, int steps)
{
    if (blockIndex < 0 || blockIndex >= record.blockCount()) return tr("No block to explain yet: generate, or open a trace.");
    const BlockRecord& block = record.block(blockIndex);
    const bd3::SamplingParams& params = block.start.params;
    const int recorded = static_cast<int>(block.steps.size());
    steps = std::clamp(steps, 0, recorded);

    QString html;
    if (steps == 0) {
        html += tr("<h3>Block %1 as it starts</h3>").arg(blockIndex + 1);
        html += tr("<p>%n position(s) start as [MASK]: the model has to fill them in.", nullptr, block.maskedAtStart());
        if (block.start.cleanPrefix > 0)
            html += tr(" The first %n token(s) are already known from the prompt.", nullptr, block.start.cleanPrefix);
        html += QStringLiteral("</p>");
        html += tr("<p>The block runs with block size %1, %2 step(s) planned, the %3 schedule and the %4 sampler. "
                   "Every step the model looks at the whole block and the text before it, and the sampler decides "
                   "which masked positions to reveal.</p>")
                    .arg(params.blockSize)
                    .arg(params.steps)
                    .arg(scheduleLabel(params), QString::fromUtf8(bd3::samplerName(params.sampler)));
        if (recorded > 0) html += tr("<p>Press Step Forward (F10) to see the first step.</p>");
        return html;
    }

    const bd3::StepDone& step = block.steps[static_cast<size_t>(steps - 1)];
    const int before = steps > 1 ? block.steps[static_cast<size_t>(steps - 2)].maskedRemaining : block.maskedAtStart();
    const int revealed = static_cast<int>(step.reveals.size());
    html += tr("<h3>Block %1, step %2 of %3</h3>").arg(blockIndex + 1).arg(steps).arg(recorded);
    html += tr("<p>Before this step %1 of %2 position(s) were masked; after it, %3.</p>")
                .arg(before)
                .arg(block.maskedAtStart())
                .arg(step.maskedRemaining);

    // Why this many, and why these.
    QString why;
    const double expected = step.expectedMasked;
    switch (params.sampler) {
    case bd3::SamplerKind::Ddpm:
        if (expected <= 1e-9) {
            why = tr("<b>DDPM sampler.</b> This is the last step: the %1 schedule leaves nothing masked, so every "
                     "remaining position is revealed.")
                      .arg(scheduleLabel(params));
        } else {
            const double chance = before > 0 ? std::clamp((before - expected) / before, 0.0, 1.0) : 0.0;
            why = tr("<b>DDPM sampler.</b> The %1 schedule asks for %2 position(s) to stay masked on average after "
                     "this step, so each of the %3 masked positions was revealed independently with chance "
                     "(%3 \u2212 %2) / %3 = %4. The dice came up %5 time(s): which positions is chance, not "
                     "confidence.")
                      .arg(scheduleLabel(params), number(expected, 2))
                      .arg(before)
                      .arg(number(chance, 2))
                      .arg(revealed);
        }
        break;
    case bd3::SamplerKind::TopKConfidence:
        why = tr("<b>Top-k confidence.</b> The %1 schedule asks for %2 position(s) to stay masked, so the sampler "
                 "drew a token for every masked position and revealed the k = %3 it was most sure of (by %4). "
                 "The others stay masked and are predicted again next step, with more context.")
                  .arg(scheduleLabel(params), number(expected, 2))
                  .arg(revealed)
                  .arg(confidenceLabel(params.confidence));
        break;
    case bd3::SamplerKind::Threshold: {
        const bool byProbability = params.confidence == bd3::ConfidenceMeasure::Probability;
        const bool noneReached = byProbability && revealed == 1 && step.reveals.front().probability < params.threshold;
        if (noneReached)
            why = tr("<b>Threshold %1.</b> No masked position reached the threshold (by %2), so the sampler revealed "
                     "only the single most confident one; a step always reveals at least one token.")
                      .arg(number(params.threshold, 2), confidenceLabel(params.confidence));
        else
            why = tr("<b>Threshold %1.</b> Every masked position whose confidence (by %2) reached the threshold was "
                     "revealed, however many that is: here %3. The schedule does not decide; the model's certainty "
                     "does, so easy stretches go fast.")
                      .arg(number(params.threshold, 2), confidenceLabel(params.confidence))
                      .arg(revealed);
        break;
    }
    case bd3::SamplerKind::FirstHitting:
        why = tr("<b>First hitting.</b> Exactly one masked position, chosen at random, is revealed per step, so a "
                 "block takes as many steps as it has masks.");
        break;
    case bd3::SamplerKind::LowConfidenceStatic:
        why = tr("<b>Low confidence, static (SDAR).</b> The block's %1 positions are shared evenly over its %2 "
                 "steps; this step's share was revealed, the positions the model was most sure of (by %3): %4. The "
                 "rest are remasked and predicted again.")
                  .arg(block.length())
                  .arg(params.steps)
                  .arg(confidenceLabel(params.confidence))
                  .arg(revealed);
        break;
    case bd3::SamplerKind::LowConfidenceDynamic:
        why = tr("<b>Low confidence, dynamic (SDAR).</b> Every masked position above the threshold %1 (by %2) is "
                 "revealed when there are at least this step's even share of the block; otherwise that share, the "
                 "most confident first. Here %3.")
                  .arg(number(params.threshold, 2), confidenceLabel(params.confidence))
                  .arg(revealed);
        break;
    case bd3::SamplerKind::Sequential:
        why = tr("<b>Sequential.</b> This step's even share of the block was revealed from the left: %1 token(s), "
                 "whatever the model's confidence.")
                  .arg(revealed);
        break;
    }
    if (params.subBlockSize > 0 && params.sampler == bd3::SamplerKind::Threshold)
        why += tr(" Only the first sub-block of %1 tokens that still holds masks is decoded; the next starts when "
                  "it is full (Fast-dLLM v2).")
                   .arg(params.subBlockSize);
    if (step.fromPreviousBlock)
        why = tr("<b>The block's first token.</b> This model predicts each token from the row before it (it is an "
                 "autoregressive model adapted to blocks), so the first position of a block is predicted by the last "
                 "token of the block before, in the same pass that stores that block in the cache. It is drawn alone, "
                 "like the next token of an autoregressive model; the rest of the block is then denoised.");
    html += QStringLiteral("<p>%1</p>").arg(why);
    if (!step.forwardRan)
        html += tr("<p>No forward pass ran for this step: the step before revealed nothing, so the model's output "
                   "from then was used again (no NFE).</p>");
    else
        html += tr("<p>One forward pass of the network (one NFE), %1 ms.</p>").arg(number(step.forwardMs, 1));

    if (revealed == 0) {
        html += tr("<p>Nothing was revealed at this step.</p>");
        return html;
    }
    html += tr("<p>Revealed %n token(s):</p>", nullptr, revealed);
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\">");
    html += tr("<tr><th align=\"left\">pos.</th><th align=\"left\">token</th><th align=\"right\">prob.</th>"
               "<th align=\"right\">entropy</th><th align=\"left\">next best</th></tr>");
    std::vector<const bd3::Reveal*> sorted;
    for (const bd3::Reveal& reveal : step.reveals) sorted.push_back(&reveal);
    std::sort(sorted.begin(), sorted.end(), [](const bd3::Reveal* a, const bd3::Reveal* b) { return a->offset < b->offset; });
    for (const bd3::Reveal* reveal : sorted) {
        QStringList alternatives;
        // The two best other tokens: what the model nearly wrote.
        int shown = 0;
        for (const bd3::Alternative& a : reveal->alternatives) {
            if (a.token == reveal->token) continue;
            if (++shown > 2) break;
            alternatives << QStringLiteral("%1 %2").arg(quoted(record, a.token), number(a.probability, 2));
        }
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td align=\"right\">%3</td><td align=\"right\">%4</td><td>%5</td></tr>")
                    .arg(QString::number(reveal->offset + 1), quoted(record, reveal->token),
                         number(reveal->probability, 3), number(reveal->entropy, 2),
                         alternatives.join(QStringLiteral("<br>")));
    }
    html += QStringLiteral("</table>");
    return html;
}
