#pragma once
/// @file decimal.hpp
/// Exact powers of ten, for rounding doubles to decimal places without a libm
/// call per value.

#include <array>
#include <cmath>

namespace nbaprops {

/// 10^0 … 10^9, each exactly representable (std::pow(10.0, k) returns the same
/// doubles).
inline constexpr std::array<double, 10> kPowersOfTen = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/// The integer nearest @p x, ties to even: std::nearbyint in the default
/// rounding mode. Below 2^51 in magnitude, adding and taking away 1.5 · 2^52
/// leaves no bits below the units; inline, where std::nearbyint is a libm call
/// on a baseline x86-64 build (no SSE4.1 roundsd). Larger values (and NaN)
/// go to std::nearbyint. A zero comes back +0.0 where std::nearbyint keeps the
/// sign of a negative one (they compare equal).
inline double nearest_integer(double x) noexcept {
  constexpr double kShift = 0x1.8p52;
  if (!(std::fabs(x) < 0x1p51)) return std::nearbyint(x);
  const double up = x + kShift;
  return up - kShift;
}

}  // namespace nbaprops
