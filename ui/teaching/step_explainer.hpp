// Says in words what one denoising step of a recorded block did: which
// tokens it revealed, how sure the model was of them, and why the sampler
// revealed those and that many (the schedule's expected count, the
// threshold, the most confident ones). For step mode and replay.
#pragma once

#include <QCoreApplication>
#include <QString>

class GenerationRecord;

class StepExplainer {
    Q_DECLARE_TR_FUNCTIONS(StepExplainer)

public:
    // Rich text about block `block` after its first `steps` steps: with 0,
    // the block as it started; otherwise the decision of step `steps`.
    static QString explain(const GenerationRecord& record, int block, int steps);
};
