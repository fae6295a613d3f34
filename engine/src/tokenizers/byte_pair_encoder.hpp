// Byte-level BPE on one word: its UTF-8 bytes start as one token per byte,
// and adjacent tokens are merged by the rank of the pair in the merge list
// until no ranked pair is left. GPT-2's vocab.json + merges.txt and
// tokenizer.json's BPE model both come down to this.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

class BytePairEncoder {
public:
    // The id of the token that is the byte alone; every byte needs one.
    void setByteToken(uint8_t byte, int32_t id) { m_byteTokens[byte] = id; }
    // Sets all 256 from the vocabulary: idOf gives the id of a spelling (the
    // byte's character in GPT-2's alphabet, tokenizers/byte_level). Throws
    // bd3::Error "<file>: no token "Ā" for byte 0x00; ..." for a byte without one.
    void setByteTokens(const std::function<std::optional<int32_t>(const std::string&)>& idOf, const std::string& file);

    // Adds the merge of (left, right) into merged, ranked after those added
    // before. False, and nothing added, when the pair has a merge already.
    bool addMerge(int32_t left, int32_t right, int32_t merged);

    // Appends the ids of word (at least one byte) to ids.
    void encodeWord(std::string_view word, std::vector<int32_t>& ids) const;

    // The two ways encodeWord merges, by word length: scanning an array (up to
    // kShortWord bytes) and through a heap. Public so that the tests can hold
    // them to the same answer.
    static constexpr size_t kShortWord = 64;
    void encodeShortWord(std::string_view word, std::vector<int32_t>& ids) const;
    void encodeLongWord(std::string_view word, std::vector<int32_t>& ids) const;

private:
    struct Merge {
        int32_t rank;    // order in the merge list: lower merges first
        int32_t merged;  // id of the token the pair becomes
    };
    // A slot of the merge table: open addressing, linear probing, keyed by
    // the pair; one cache line holds four, so a lookup mostly costs one miss.
    struct Slot {
        uint64_t pair = kEmpty;
        Merge merge{};
    };
    static constexpr uint64_t kEmpty = ~uint64_t{0};

    const Merge* findMerge(int32_t left, int32_t right) const;

    std::array<int32_t, 256> m_byteTokens{};
    std::vector<Slot> m_table = std::vector<Slot>(16);  // a power of two, at most half full
    int32_t m_mergeCount = 0;
};

} // namespace bd3
