#include "token_list.hpp"

#include "bd3/error.hpp"

#include <charconv>
#include <string>

namespace bd3::cli {

std::vector<int32_t> parseTokenList(std::string_view text, std::optional<int32_t> maskId)
{
    std::vector<int32_t> ids;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ' || text[i] == ',' || text[i] == '\t' || text[i] == '\n') {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < text.size() && text[end] != ' ' && text[end] != ',' && text[end] != '\t' && text[end] != '\n') ++end;
        const std::string_view item = text.substr(i, end - i);
        i = end;
        if (maskId && (item == "mask" || item == "M")) {
            ids.push_back(*maskId);
            continue;
        }
        int32_t id = 0;
        const auto [rest, error] = std::from_chars(item.data(), item.data() + item.size(), id);
        if (error != std::errc() || rest != item.data() + item.size())
            throw Error("not a token id: \"" + std::string(item) + "\"" + (maskId ? " (use \"mask\" for [MASK])" : ""));
        ids.push_back(id);
    }
    return ids;
}

} // namespace bd3::cli
