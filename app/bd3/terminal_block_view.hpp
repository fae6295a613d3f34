// --visual: redraws the block being denoised in the terminal as steps
// progress. Masked cells are shaded; revealed tokens take the colour of the
// step that revealed them; committed blocks stay above as a strip.
#pragma once

#include "bd3/events.hpp"
#include "bd3/tokenizer.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace bd3::cli {

class TerminalBlockView final : public GenerationObserver {
public:
    TerminalBlockView(const Tokenizer& tokenizer, int32_t maskId, std::ostream& out);

    void blockStarted(const BlockStarted& event) override;
    void stepDone(const StepDone& event) override;
    void blockCommitted(const BlockCommitted& event) override;

private:
    void redraw();
    std::string cellText(int32_t token) const;

    const Tokenizer& m_tokenizer;
    int32_t m_maskId;
    std::ostream& m_out;
    int32_t m_block = 0;
    std::vector<int32_t> m_tokens;
    std::vector<int32_t> m_revealStep;  // -1: prompt prefix or still masked
    size_t m_width = 80;
};

} // namespace bd3::cli
