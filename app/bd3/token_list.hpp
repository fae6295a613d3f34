// Token ids typed on the command line: separated by spaces or commas, with
// "mask" standing for the [MASK] id where one is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace bd3::cli {

std::vector<int32_t> parseTokenList(std::string_view text, std::optional<int32_t> maskId = std::nullopt);

} // namespace bd3::cli
