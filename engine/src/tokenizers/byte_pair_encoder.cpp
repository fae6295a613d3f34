#include "tokenizers/byte_pair_encoder.hpp"

#include "bd3/error.hpp"
#include "tokenizers/byte_level.hpp"

#include <cstdio>
#include <limits>
#include <queue>

namespace bd3 {

namespace {

uint64_t pairKey(int32_t left, int32_t right)
{
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

size_t slotOf(uint64_t key, size_t mask)
{
    key ^= key >> 29;  // a 64-bit mix (splitmix64's finalizer)
    key *= 0xBF58476D1CE4E5B9ull;
    key ^= key >> 32;
    return static_cast<size_t>(key) & mask;
}

constexpr int32_t kNoRank = std::numeric_limits<int32_t>::max();

} // namespace

void BytePairEncoder::setByteTokens(const std::function<std::optional<int32_t>(const std::string&)>& idOf,
                                    const std::string& file)
{
    // Every byte needs a token of its own, or some texts could not be encoded.
    for (int byte = 0; byte < 256; ++byte) {
        const std::string spelling = byteLevelCharacter(static_cast<uint8_t>(byte));
        const std::optional<int32_t> id = idOf(spelling);
        if (!id) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", byte);
            throw Error(file + ": no token \"" + spelling + "\" for byte " + hex +
                        "; a byte-level vocabulary needs one for each of the 256 bytes");
        }
        m_byteTokens[static_cast<size_t>(byte)] = *id;
    }
}

bool BytePairEncoder::addMerge(int32_t left, int32_t right, int32_t merged)
{
    if (findMerge(left, right)) return false;
    if (2 * (static_cast<size_t>(m_mergeCount) + 1) > m_table.size()) {
        std::vector<Slot> old(m_table.size() * 2);
        old.swap(m_table);
        for (const Slot& slot : old) {
            if (slot.pair == kEmpty) continue;
            size_t at = slotOf(slot.pair, m_table.size() - 1);
            while (m_table[at].pair != kEmpty) at = (at + 1) & (m_table.size() - 1);
            m_table[at] = slot;
        }
    }
    const uint64_t key = pairKey(left, right);
    size_t at = slotOf(key, m_table.size() - 1);
    while (m_table[at].pair != kEmpty) at = (at + 1) & (m_table.size() - 1);
    m_table[at] = {key, {m_mergeCount++, merged}};
    return true;
}

const BytePairEncoder::Merge* BytePairEncoder::findMerge(int32_t left, int32_t right) const
{
    const uint64_t key = pairKey(left, right);
    const size_t mask = m_table.size() - 1;
    for (size_t at = slotOf(key, mask);; at = (at + 1) & mask) {
        const Slot& slot = m_table[at];
        if (slot.pair == key) return &slot.merge;
        if (slot.pair == kEmpty) return nullptr;
    }
}

// How both versions merge, as encoder.py does: take the best-ranked pair
// present and merge every place it occurs, left to right, before choosing
// the next pair. Pairs that these merges create wait for the next round even
// when ranked better. Hugging Face's BPE merges one pair at a time instead,
// taking new pairs at once; the two differ only for merge lists where a token
// is used before the merge that makes it, which training never writes.
void BytePairEncoder::encodeWord(std::string_view word, std::vector<int32_t>& ids) const
{
    if (word.size() <= kShortWord) encodeShortWord(word, ids);
    else encodeLongWord(word, ids);
}

void BytePairEncoder::encodeShortWord(std::string_view word, std::vector<int32_t>& ids) const
{
    // The symbols in order, each with the merge of it and the next one.
    struct Symbol {
        int32_t id;
        int32_t rank;    // of the pair with the next symbol; kNoRank if none
        int32_t merged;
        bool changed;
    };
    std::array<Symbol, kShortWord> symbols;
    const size_t length = word.size();
    auto rate = [&](size_t i, size_t count) {
        const Merge* merge = i + 1 < count ? findMerge(symbols[i].id, symbols[i + 1].id) : nullptr;
        symbols[i].rank = merge ? merge->rank : kNoRank;
        symbols[i].merged = merge ? merge->merged : -1;
    };
    for (size_t i = 0; i < length; ++i)
        symbols[i] = {m_byteTokens[static_cast<unsigned char>(word[i])], kNoRank, -1, false};
    for (size_t i = 0; i + 1 < length; ++i) rate(i, length);

    size_t count = length;
    while (true) {
        size_t best = 0;
        for (size_t i = 1; i + 1 < count; ++i)
            if (symbols[i].rank < symbols[best].rank) best = i;
        if (count < 2 || symbols[best].rank == kNoRank) break;
        // The pair's rank names it, so "rank == the best" finds every place
        // it occurs; none lies before the leftmost.
        const int32_t rank = symbols[best].rank;
        size_t out = best;
        for (size_t in = best; in < count; ++out) {
            if (symbols[in].rank == rank && in + 1 < count) {
                symbols[out] = {symbols[in].merged, kNoRank, -1, true};
                in += 2;
            } else {
                symbols[out] = symbols[in];
                ++in;
            }
        }
        count = out;
        // Only pairs next to a merged symbol have changed.
        for (size_t i = best; i < count; ++i) {
            if (!symbols[i].changed) continue;
            symbols[i].changed = false;
            if (i > 0) rate(i - 1, count);
            rate(i, count);
        }
    }
    for (size_t i = 0; i < count; ++i) ids.push_back(symbols[i].id);
}

void BytePairEncoder::encodeLongWord(std::string_view word, std::vector<int32_t>& ids) const
{
    // The word's symbols as a linked list over its bytes: a merge joins a
    // symbol with its right neighbour, which drops out (id -1).
    struct Symbol {
        int32_t id;
        int32_t prev;
        int32_t next;
    };
    // A pair that could be merged; stale once either symbol has changed.
    struct Candidate {
        int32_t rank;
        int32_t left;  // index of the left symbol
        int32_t leftId;
        int32_t rightId;
        int32_t mergedId;
    };

    const auto length = static_cast<int32_t>(word.size());
    std::vector<Symbol> symbols(word.size());
    for (int32_t i = 0; i < length; ++i)
        symbols[i] = {m_byteTokens[static_cast<unsigned char>(word[i])], i - 1, i + 1 < length ? i + 1 : -1};

    // Best rank first; among equal ranks (one pair, several places) leftmost first.
    auto after = [](const Candidate& a, const Candidate& b) {
        return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(after)> queue(after);
    auto consider = [&](int32_t left) {
        const int32_t right = symbols[left].next;
        if (right < 0) return;
        const int32_t leftId = symbols[left].id;
        const int32_t rightId = symbols[right].id;
        if (const Merge* merge = findMerge(leftId, rightId))
            queue.push({merge->rank, left, leftId, rightId, merge->merged});
    };
    for (int32_t i = 0; i + 1 < length; ++i) consider(i);

    // The heap makes long words n log n rather than n^2.
    std::vector<Candidate> round;
    while (!queue.empty()) {
        const int32_t rank = queue.top().rank;
        round.clear();
        while (!queue.empty() && queue.top().rank == rank) {
            round.push_back(queue.top());
            queue.pop();
        }
        for (const Candidate& candidate : round) {
            Symbol& left = symbols[candidate.left];
            if (left.id != candidate.leftId || left.next < 0 || symbols[left.next].id != candidate.rightId)
                continue;
            Symbol& right = symbols[left.next];
            left.id = candidate.mergedId;
            left.next = right.next;
            if (right.next >= 0) symbols[right.next].prev = candidate.left;
            right.id = -1;
            if (left.prev >= 0) consider(left.prev);
            consider(candidate.left);
        }
    }

    for (int32_t i = 0; i >= 0; i = symbols[i].next) ids.push_back(symbols[i].id);
}

} // namespace bd3
