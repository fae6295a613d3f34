// The block-boundary rule, in one place for every backend: which rows of a
// chunk a query row sees. A chunk follows the cache; its first block has
// firstBlock rows (blockSize when 0), the others blockSize. A query sees the
// whole cache and the chunk's blocks up to and including its own, both
// directions inside its block. Usable from CUDA device code.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define BD3_HOST_DEVICE __host__ __device__
#else
#define BD3_HOST_DEVICE
#endif

namespace bd3 {

// Rows of the chunk [0, result) that chunk row `row` of `rows` attends to.
BD3_HOST_DEVICE inline int32_t visibleChunkRows(int32_t row, int32_t rows, int32_t firstBlock, int32_t blockSize)
{
    const int32_t first = firstBlock > 0 ? firstBlock : blockSize;
    const int32_t end = row < first ? first : first + ((row - first) / blockSize + 1) * blockSize;
    return end < rows ? end : rows;
}

} // namespace bd3
