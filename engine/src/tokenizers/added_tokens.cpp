#include "tokenizers/added_tokens.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

namespace bd3 {

namespace {

// \w and \s of the Rust regex crate that the tokenizers library tests these
// with: word characters are Alphabetic, marks, decimal digits, connector
// punctuation and the joiners; white space is Unicode's White_Space.
bool isWordCharacter(UChar32 c)
{
    constexpr uint32_t kWordCategories = U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK;
    return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || (U_GET_GC_MASK(c) & kWordCategories) != 0 ||
           u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL);
}

UChar32 characterBefore(std::string_view text, size_t end)
{
    UChar32 c;
    U8_PREV_UNSAFE(text.data(), end, c);
    return c;
}

UChar32 characterAt(std::string_view text, size_t begin)
{
    UChar32 c;
    U8_NEXT_UNSAFE(text.data(), begin, c);
    return c;
}

// Where the white space that ends text[0, end) begins.
size_t whiteSpaceBefore(std::string_view text, size_t end)
{
    while (end > 0) {
        size_t before = end;
        UChar32 c;
        U8_PREV_UNSAFE(text.data(), before, c);
        if (!u_isUWhiteSpace(c)) break;
        end = before;
    }
    return end;
}

// Where the white space that starts text[begin, ...) ends.
size_t whiteSpaceAfter(std::string_view text, size_t begin)
{
    while (begin < text.size()) {
        size_t after = begin;
        UChar32 c;
        U8_NEXT_UNSAFE(text.data(), after, c);
        if (!u_isUWhiteSpace(c)) break;
        begin = after;
    }
    return begin;
}

} // namespace

AddedTokenSet::AddedTokenSet(std::vector<AddedToken> tokens)
{
    for (AddedToken& token : tokens) {
        int32_t node = 0;
        for (const char byte : token.content) {
            auto& children = m_trie[static_cast<size_t>(node)].children;
            const auto b = static_cast<unsigned char>(byte);
            const auto found =
                std::find_if(children.begin(), children.end(), [&](const auto& c) { return c.first == b; });
            if (found != children.end()) {
                node = found->second;
            } else {
                const auto child = static_cast<int32_t>(m_trie.size());
                children.emplace_back(b, child);
                m_trie.emplace_back();
                node = child;
            }
        }
        if (node == 0 || m_trie[static_cast<size_t>(node)].token >= 0) continue;  // empty or a repeat
        m_trie[static_cast<size_t>(node)].token = static_cast<int32_t>(m_tokens.size());
        m_firstBytes[static_cast<unsigned char>(token.content[0])] = true;
        m_tokens.push_back(std::move(token));
    }
}

bool AddedTokenSet::find(std::string_view text, size_t from, size_t& begin, size_t& end, int32_t& token) const
{
    for (size_t start = from; start < text.size(); ++start) {
        if (!m_firstBytes[static_cast<unsigned char>(text[start])]) continue;
        int32_t node = 0;
        token = -1;
        for (size_t at = start; at < text.size(); ++at) {
            const auto& children = m_trie[static_cast<size_t>(node)].children;
            const auto b = static_cast<unsigned char>(text[at]);
            const auto found =
                std::find_if(children.begin(), children.end(), [&](const auto& c) { return c.first == b; });
            if (found == children.end()) break;
            node = found->second;
            if (m_trie[static_cast<size_t>(node)].token >= 0) {
                token = m_trie[static_cast<size_t>(node)].token;
                end = at + 1;
            }
        }
        if (token >= 0) {
            begin = start;
            return true;
        }
    }
    return false;
}

void AddedTokenSet::split(std::string_view text, std::vector<Segment>& segments) const
{
    size_t done = 0;    // the segments so far cover text[0, done)
    size_t search = 0;  // where to look for the next token
    size_t begin = 0;
    size_t end = 0;
    int32_t index = -1;
    while (!m_tokens.empty() && find(text, search, begin, end, index)) {
        // A match that is dropped is not looked into again, as in the library.
        search = end;
        const AddedToken& token = m_tokens[static_cast<size_t>(index)];
        if (token.singleWord) {
            const bool wordBefore = begin > 0 && isWordCharacter(characterBefore(text, begin));
            const bool wordAfter = end < text.size() && isWordCharacter(characterAt(text, end));
            if (wordBefore || wordAfter) continue;
        }
        // White space a token before has taken is not taken again.
        if (token.lstrip) begin = std::max(whiteSpaceBefore(text, begin), done);
        if (token.rstrip) end = whiteSpaceAfter(text, end);
        if (done < begin) segments.push_back({done, begin, -1});
        segments.push_back({begin, end, token.id});
        done = search = end;
    }
    if (done < text.size()) segments.push_back({done, text.size(), -1});
}

} // namespace bd3
