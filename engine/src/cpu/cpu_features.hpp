// What the CPU's vector kernels share: the feature checks every compiler
// knows how to make, and the sum of a vector's lanes.
#pragma once

#include <cpuid.h>
#include <immintrin.h>

namespace bd3 {

// AVX2 with FMA and F16C (by CPUID leaf 1, ecx bit 29: not every compiler's
// builtin knows F16C).
inline bool cpuHasAvx2()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
}

// AVX-512 foundation, byte/word and vector-length instructions.
inline bool cpuHasAvx512()
{
    return cpuHasAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
}

// AVX-VNNI by CPUID leaf 7 subleaf 1, eax bit 4.
inline bool cpuHasAvxVnni()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) != 0 && (eax & (1U << 4)) != 0;
}

__attribute__((target("avx2"))) inline float horizontalSum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

} // namespace bd3
