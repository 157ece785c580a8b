#include "model/detail/avx512_warnings.hpp"  // first: GCC 12 false -Wuninitialized in AVX-512 intrinsics
#include "gridrnn/model/noise.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <vector>

#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512VL__)
#define GRIDRNN_NOISE_AVX512 1
#include <immintrin.h>
#endif

#include <Random123/philox.h>

#include "gridrnn/core/error.hpp"
#include "model/detail/noise_kernels.hpp"

// Both kernels do the same float operations in the same order, with every multiply-add written
// as an explicit fma, and this file is compiled with -ffp-contract=off (CMakeLists.txt), so the
// compiler fuses nothing on its own: the AVX-512 kernel gives the portable kernel's bits.

namespace gridrnn::model {

namespace {

// Philox4x32-10 (Salmon et al. 2011; Random123's constants).
constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // multipliers
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // key increments
constexpr int kRounds = 10;

// ln u for u in (0, 1]: u = 2^e m with m in [sqrt(1/2), sqrt(2)], ln m = 2 atanh(s) with
// s = (m - 1) / (m + 1), |s| <= 0.172, by its series to s^9 (truncation below 3e-9 relative).
constexpr float kSqrt2 = 0x1.6a09e6p+0f;
constexpr float kLn2 = 0x1.62e430p-1f;
constexpr float kOneThird = 1.0f / 3.0f, kOneFifth = 1.0f / 5.0f, kOneSeventh = 1.0f / 7.0f, kOneNinth = 1.0f / 9.0f;
// sin x and cos x for |x| <= pi/4 by their Taylor series to x^9 and x^10 (truncation below
// 3e-9 and 2e-10).
constexpr float kTwoPi = 0x1.921fb6p+2f;
constexpr float kS3 = static_cast<float>(-1.0 / 6.0), kS5 = static_cast<float>(1.0 / 120.0),
                kS7 = static_cast<float>(-1.0 / 5040.0), kS9 = static_cast<float>(1.0 / 362880.0);
constexpr float kC4 = static_cast<float>(1.0 / 24.0), kC6 = static_cast<float>(-1.0 / 720.0),
                kC8 = static_cast<float>(1.0 / 40320.0), kC10 = static_cast<float>(-1.0 / 3628800.0);
// 1.5 2^23: adding it to a float in [0, 2^22) rounds it to the nearest integer, ties to even,
// which the sum's low mantissa bits then hold.
constexpr float kRoundingShift = 0x1.8p+23f;

void check_counter_range(std::size_t first_trial, std::size_t trial_count, std::size_t step, std::size_t blocks) {
  constexpr std::size_t kLimit = std::size_t{1} << 32;
  if (first_trial + trial_count > kLimit || (step + 1) * blocks > kLimit)
    throw_user_error("unit noise: trial {} or step {} of {} units is past the noise counter's range "
                     "(2^32 trials, 2^32 blocks of 4 units per trial)",
                     first_trial + trial_count - 1, step, blocks * 4);
}

void noise_portable(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                    std::size_t trial_count, std::size_t step, std::size_t units, float sd, float* out) {
  const std::size_t blocks = noise_blocks_per_step(units);
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  for (std::size_t r = 0; r < trial_count; ++r) {
    float* row = out + r * units;
    for (std::size_t j = 0; j < blocks; ++j) {
      const r123::Philox4x32::ctr_type counter = {
          {static_cast<std::uint32_t>(update_index), static_cast<std::uint32_t>(update_index >> 32),
           static_cast<std::uint32_t>(first_trial + r), static_cast<std::uint32_t>(step * blocks + j)}};
      const auto words = philox(counter, key);
      float z[4];
      detail::box_muller_pair(words[0], words[1], sd, z[0], z[1]);
      detail::box_muller_pair(words[2], words[3], sd, z[2], z[3]);
      const std::size_t first_unit = 4 * j;
      for (std::size_t q = 0; q < 4 && first_unit + q < units; ++q) row[first_unit + q] = z[q];
    }
  }
}

#if GRIDRNN_NOISE_AVX512

// 16 pairs of words -> cos and sin normals times sd: detail::box_muller_pair, lane by lane.
inline void box_muller_16(__m512i w1, __m512i w2, __m512 sd, __m512& z_cos, __m512& z_sin) {
  const __m512i fraction = _mm512_set1_epi32(0x7fffff), one_bits = _mm512_set1_epi32(0x3f800000);
  const __m512 one = _mm512_set1_ps(1.0f);
  // u1 = 2 - [1, 2) in (0, 1], u2 = [1, 2) - 1 in [0, 1): 23 random bits each, exactly
  const __m512 u1 = _mm512_sub_ps(_mm512_set1_ps(2.0f), _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(w1, fraction), one_bits)));
  const __m512 u2 = _mm512_sub_ps(_mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(w2, fraction), one_bits)), one);
  // ln u1
  __m512 e = _mm512_getexp_ps(u1);
  __m512 m = _mm512_getmant_ps(u1, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
  const __mmask16 high = _mm512_cmp_ps_mask(m, _mm512_set1_ps(kSqrt2), _CMP_GT_OQ);
  m = _mm512_mask_mul_ps(m, high, m, _mm512_set1_ps(0.5f));
  e = _mm512_mask_add_ps(e, high, e, one);
  const __m512 s = _mm512_div_ps(_mm512_sub_ps(m, one), _mm512_add_ps(m, one));
  const __m512 s2 = _mm512_mul_ps(s, s);
  __m512 q = _mm512_fmadd_ps(_mm512_set1_ps(kOneNinth), s2, _mm512_set1_ps(kOneSeventh));
  q = _mm512_fmadd_ps(q, s2, _mm512_set1_ps(kOneFifth));
  q = _mm512_fmadd_ps(q, s2, _mm512_set1_ps(kOneThird));
  const __m512 t = _mm512_add_ps(s, s);
  const __m512 ln_m = _mm512_fmadd_ps(_mm512_mul_ps(t, s2), q, t);
  const __m512 ln_u1 = _mm512_fmadd_ps(e, _mm512_set1_ps(kLn2), ln_m);
  const __m512 radius = _mm512_mul_ps(_mm512_sqrt_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ln_u1)), sd);
  // sin and cos of 2 pi u2: u2 = q/4 + v with q = round(4 u2) (as the low bits of
  // 4 u2 + 1.5 2^23) and |v| <= 1/8 (exact), x = 2 pi v
  const __m512 rounded = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), u2, _mm512_set1_ps(kRoundingShift));
  const __m512 quarter = _mm512_sub_ps(rounded, _mm512_set1_ps(kRoundingShift));
  const __m512 v = _mm512_fmadd_ps(_mm512_set1_ps(-0.25f), quarter, u2);
  const __m512 x = _mm512_mul_ps(v, _mm512_set1_ps(kTwoPi));
  const __m512 x2 = _mm512_mul_ps(x, x);
  __m512 ps = _mm512_fmadd_ps(x2, _mm512_set1_ps(kS9), _mm512_set1_ps(kS7));
  ps = _mm512_fmadd_ps(ps, x2, _mm512_set1_ps(kS5));
  ps = _mm512_fmadd_ps(ps, x2, _mm512_set1_ps(kS3));
  const __m512 sin_x = _mm512_fmadd_ps(_mm512_mul_ps(x, x2), ps, x);
  __m512 pc = _mm512_fmadd_ps(x2, _mm512_set1_ps(kC10), _mm512_set1_ps(kC8));
  pc = _mm512_fmadd_ps(pc, x2, _mm512_set1_ps(kC6));
  pc = _mm512_fmadd_ps(pc, x2, _mm512_set1_ps(kC4));
  pc = _mm512_fmadd_ps(pc, x2, _mm512_set1_ps(-0.5f));
  const __m512 cos_x = _mm512_fmadd_ps(x2, pc, one);
  // the quadrant: swap sin and cos for odd q, flip cos's sign for q = 1, 2 and sin's for q = 2, 3
  const __m512i q_bits = _mm512_castps_si512(rounded);
  const __mmask16 odd = _mm512_test_epi32_mask(q_bits, _mm512_set1_epi32(1));
  const __mmask16 flip_sin = _mm512_test_epi32_mask(q_bits, _mm512_set1_epi32(2));
  const __mmask16 flip_cos = _kxor_mask16(odd, flip_sin);
  const __m512 sign = _mm512_set1_ps(-0.0f);
  const __m512 c = _mm512_mul_ps(radius, _mm512_mask_blend_ps(odd, cos_x, sin_x));
  const __m512 sn = _mm512_mul_ps(radius, _mm512_mask_blend_ps(odd, sin_x, cos_x));
  z_cos = _mm512_mask_xor_ps(c, flip_cos, c, sign);
  z_sin = _mm512_mask_xor_ps(sn, flip_sin, sn, sign);
}

// Eight Philox4x32-10 blocks, one per 64-bit lane (each word in the lane's low 32 bits; the high
// bits are don't-cares that _mm512_mul_epu32 and the final narrowing ignore).
struct PhiloxKeys {
  __m512i k0[kRounds], k1[kRounds];
  explicit PhiloxKeys(std::uint64_t seed) {
    std::uint32_t a = static_cast<std::uint32_t>(seed), b = static_cast<std::uint32_t>(seed >> 32);
    for (int i = 0; i < kRounds; ++i, a += kW0, b += kW1) {
      k0[i] = _mm512_set1_epi64(a);
      k1[i] = _mm512_set1_epi64(b);
    }
  }
};

// Each lane's high word moved to its low half by a shuffle (port 5) rather than a shift (port 0,
// which the multiplies already fill).
inline __m512i high_to_low(__m512i p) { return _mm512_shuffle_epi32(p, static_cast<_MM_PERM_ENUM>(0xB1)); }

// Two sets of eight blocks, interleaved round by round: one set's chain of dependent multiplies
// is too long for the out-of-order window to hide.
inline void philox_8x2(const PhiloxKeys& keys, __m512i (&a)[4], __m512i (&b)[4]) {
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  for (int i = 0; i < kRounds; ++i) {
    const __m512i pa0 = _mm512_mul_epu32(a[0], m0), pa1 = _mm512_mul_epu32(a[2], m1);
    const __m512i pb0 = _mm512_mul_epu32(b[0], m0), pb1 = _mm512_mul_epu32(b[2], m1);
    a[0] = _mm512_ternarylogic_epi64(high_to_low(pa1), a[1], keys.k0[i], 0x96);  // hi1 ^ x1 ^ k0
    b[0] = _mm512_ternarylogic_epi64(high_to_low(pb1), b[1], keys.k0[i], 0x96);
    a[1] = pa1;                                                                           // lo1
    b[1] = pb1;
    a[2] = _mm512_ternarylogic_epi64(high_to_low(pa0), a[3], keys.k1[i], 0x96);  // hi0 ^ x3 ^ k1
    b[2] = _mm512_ternarylogic_epi64(high_to_low(pb0), b[3], keys.k1[i], 0x96);
    a[3] = pa0;                                                                           // lo0
    b[3] = pb0;
  }
}

// Writes the 4 normals of each of count * blocks blocks, block i = (trial i / blocks, block
// i % blocks of the step), to dest[4 i .. 4 i + 3]; nothing past dest[4 count blocks).
void noise_blocks_avx512(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                         std::size_t trial_count, std::size_t step, std::size_t blocks, float sd, float* dest) {
  const PhiloxKeys keys(seed);
  const __m512 sd_v = _mm512_set1_ps(sd);
  const __m512i update_low = _mm512_set1_epi64(static_cast<std::uint32_t>(update_index));
  const __m512i update_high = _mm512_set1_epi64(static_cast<std::uint32_t>(update_index >> 32));
  const __m512i step_base = _mm512_set1_epi64(static_cast<long long>(step * blocks));
  const __m512i trial_base = _mm512_set1_epi64(static_cast<long long>(first_trial));
  const __m512i blocks_v = _mm512_set1_epi64(static_cast<long long>(blocks)), one = _mm512_set1_epi64(1);
  // block index j and trial r of each lane, advanced by 8 blocks per iteration
  alignas(64) std::uint64_t j0[8], r0[8];
  for (std::size_t lane = 0; lane < 8; ++lane) {
    j0[lane] = lane % blocks;
    r0[lane] = lane / blocks;
  }
  __m512i j = _mm512_load_si512(j0), r = _mm512_load_si512(r0);
  const __m512i lane_step = _mm512_set1_epi64(8 % static_cast<long long>(blocks));
  const __m512i trial_step = _mm512_set1_epi64(8 / static_cast<long long>(blocks));
  // output order: block b's [cos A, sin A, cos B, sin B], A = words 0, 1 and B = words 2, 3
  const __m512i first_half = _mm512_setr_epi32(0, 16, 8, 24, 1, 17, 9, 25, 2, 18, 10, 26, 3, 19, 11, 27);
  const __m512i second_half = _mm512_setr_epi32(4, 20, 12, 28, 5, 21, 13, 29, 6, 22, 14, 30, 7, 23, 15, 31);
  const std::size_t total = trial_count * blocks * 4;
  const auto advance = [&](__m512i& jv, __m512i& rv) {  // the next 8 blocks: j += 8 mod blocks, carrying into r
    jv = _mm512_add_epi64(jv, lane_step);
    rv = _mm512_add_epi64(rv, trial_step);
    const __mmask8 carry = _mm512_cmpge_epu64_mask(jv, blocks_v);
    jv = _mm512_mask_sub_epi64(jv, carry, jv, blocks_v);
    rv = _mm512_mask_add_epi64(rv, carry, rv, one);
  };
  const auto store = [&](const __m512i (&x)[4], std::size_t done) {
    const __m512i w1 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(x[0])), _mm512_cvtepi64_epi32(x[2]), 1);
    const __m512i w2 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(x[1])), _mm512_cvtepi64_epi32(x[3]), 1);
    __m512 z_cos, z_sin;
    box_muller_16(w1, w2, sd_v, z_cos, z_sin);
    const __m512 out0 = _mm512_permutex2var_ps(z_cos, first_half, z_sin);
    const __m512 out1 = _mm512_permutex2var_ps(z_cos, second_half, z_sin);
    if (done >= total) return;
    const std::size_t left = total - done;
    if (left >= 32) {
      _mm512_storeu_ps(dest + done, out0);
      _mm512_storeu_ps(dest + done + 16, out1);
    } else {
      const auto mask = [](std::size_t n) { return static_cast<__mmask16>(n >= 16 ? 0xffffu : (1u << n) - 1u); };
      _mm512_mask_storeu_ps(dest + done, mask(left), out0);
      if (left > 16) _mm512_mask_storeu_ps(dest + done + 16, mask(left - 16), out1);
    }
  };
  for (std::size_t done = 0; done < total; done += 64) {
    __m512i jb = j, rb = r;
    advance(jb, rb);
    __m512i a[4] = {update_low, update_high, _mm512_add_epi64(trial_base, r), _mm512_add_epi64(step_base, j)};
    __m512i b[4] = {update_low, update_high, _mm512_add_epi64(trial_base, rb), _mm512_add_epi64(step_base, jb)};
    philox_8x2(keys, a, b);
    store(a, done);
    store(b, done + 32);
    j = jb;
    r = rb;
    advance(j, r);
  }
}

void noise_avx512(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial, std::size_t trial_count,
                  std::size_t step, std::size_t units, float sd, float* out) {
  const std::size_t blocks = noise_blocks_per_step(units);
  if (units == 4 * blocks) {  // the blocks' normals are the rows, back to back
    noise_blocks_avx512(seed, update_index, first_trial, trial_count, step, blocks, sd, out);
    return;
  }
  thread_local std::vector<float> buffer;
  buffer.resize(trial_count * blocks * 4);
  noise_blocks_avx512(seed, update_index, first_trial, trial_count, step, blocks, sd, buffer.data());
  for (std::size_t r = 0; r < trial_count; ++r)
    std::copy_n(buffer.data() + r * blocks * 4, units, out + r * units);
}

#endif  // GRIDRNN_NOISE_AVX512

}  // namespace

namespace detail {

void box_muller_pair(std::uint32_t w1, std::uint32_t w2, float sd, float& z0, float& z1) {
  const auto unit_interval = [](std::uint32_t w) { return std::bit_cast<float>((w & 0x7fffffu) | 0x3f800000u); };
  const float u1 = 2.0f - unit_interval(w1), u2 = unit_interval(w2) - 1.0f;
  // ln u1
  int exponent = 0;
  float m = 2.0f * std::frexp(u1, &exponent);  // u1 = m 2^e, m in [1, 2)
  float e = static_cast<float>(exponent - 1);
  if (m > kSqrt2) {
    m = m * 0.5f;
    e = e + 1.0f;
  }
  const float s = (m - 1.0f) / (m + 1.0f);
  const float s2 = s * s;
  float q = std::fma(kOneNinth, s2, kOneSeventh);
  q = std::fma(q, s2, kOneFifth);
  q = std::fma(q, s2, kOneThird);
  const float t = s + s;
  const float ln_m = std::fma(t * s2, q, t);
  const float ln_u1 = std::fma(e, kLn2, ln_m);
  const float radius = std::sqrt(-2.0f * ln_u1) * sd;
  // sin and cos of 2 pi u2
  const float rounded = std::fma(4.0f, u2, kRoundingShift);
  const float quarter = rounded - kRoundingShift;
  const float v = std::fma(-0.25f, quarter, u2);
  const float x = v * kTwoPi;
  const float x2 = x * x;
  float ps = std::fma(x2, kS9, kS7);
  ps = std::fma(ps, x2, kS5);
  ps = std::fma(ps, x2, kS3);
  const float sin_x = std::fma(x * x2, ps, x);
  float pc = std::fma(x2, kC10, kC8);
  pc = std::fma(pc, x2, kC6);
  pc = std::fma(pc, x2, kC4);
  pc = std::fma(pc, x2, -0.5f);
  const float cos_x = std::fma(x2, pc, 1.0f);
  const auto q_bits = std::bit_cast<std::uint32_t>(rounded);
  const bool odd = (q_bits & 1u) != 0, flip_sin = (q_bits & 2u) != 0, flip_cos = odd != flip_sin;
  const auto flip = [](float value, bool yes) {
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(value) ^ (yes ? 0x80000000u : 0u));
  };
  z0 = flip(radius * (odd ? sin_x : cos_x), flip_cos);
  z1 = flip(radius * (odd ? cos_x : sin_x), flip_sin);
}

bool noise_kernel_available(NoiseKernel kernel) {
#if GRIDRNN_NOISE_AVX512
  (void)kernel;
  return true;
#else
  return kernel == NoiseKernel::kPortable;
#endif
}

void generate_noise_with(NoiseKernel kernel, std::uint64_t seed, std::uint64_t update_index,
                         std::size_t first_trial, std::size_t trial_count, std::size_t step,
                         std::size_t units, float sd, float* out) {
  if (trial_count == 0 || units == 0) return;
  check_counter_range(first_trial, trial_count, step, noise_blocks_per_step(units));
  if (kernel == NoiseKernel::kAvx512) {
#if GRIDRNN_NOISE_AVX512
    noise_avx512(seed, update_index, first_trial, trial_count, step, units, sd, out);
    return;
#else
    throw std::logic_error("generate_noise_with: this build has no AVX-512 noise kernel");
#endif
  }
  noise_portable(seed, update_index, first_trial, trial_count, step, units, sd, out);
}

}  // namespace detail

void generate_noise(std::uint64_t seed, std::uint64_t update_index, std::size_t first_trial,
                    std::size_t trial_count, std::size_t step, std::size_t units, float sd,
                    float* out) {
  const auto kernel = detail::noise_kernel_available(detail::NoiseKernel::kAvx512) ? detail::NoiseKernel::kAvx512
                                                                                   : detail::NoiseKernel::kPortable;
  detail::generate_noise_with(kernel, seed, update_index, first_trial, trial_count, step, units, sd, out);
}

}  // namespace gridrnn::model
