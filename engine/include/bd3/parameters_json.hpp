// The sampling parameters as a JSON object: the one codec of every file that
// holds them (each block of a trace, a session, the studio's settings), so
// all of them spell the keys alike (docs/trace-format.md lists them).
#pragma once

#include "bd3/sampling.hpp"

#include <string>
#include <string_view>

namespace bd3 {

// A compact JSON object.
std::string samplingParamsJson(const SamplingParams& params);

// The parameters of the JSON object in text. Keys it does not know are left
// to whoever keeps more beside them (a session's seed); sub_block_size, top_k
// and top_alternatives, which files written before them lack, take their
// defaults; every other key is required. The values are validated. Throws
// bd3::Error naming origin and the key.
SamplingParams parseSamplingParams(std::string_view text, const std::string& origin);

} // namespace bd3
