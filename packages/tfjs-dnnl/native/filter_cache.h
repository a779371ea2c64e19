// Filters in the layout a primitive wants, kept across calls for filters that do not change.
//
// Reordering an HWIO filter into oneDNN's blocked layout is a pass over the filter on every call;
// for a frozen network (the style task's loss network, inference) it is the same work each time.
// JS gives every filter tensor a token: a number it assigns once per tfjs data id and never reuses
// (src/filter-tokens.ts). tfjs never writes into a tensor's data once the kernel that made it has
// returned (a variable's assign() moves it to a new data id), so a token names fixed contents and a
// copy found under (token, layouts) cannot be stale. Tokens of disposed tensors are simply never asked
// for again: the cache is bounded by bytes and drops the least recently used copy first.
#pragma once

#include "common.h"

#include <list>
#include <unordered_map>

namespace yoto_dnnl {

class FilterCache {
 public:
  // The copy of filter `token` laid out as `internal` (reordered from `user`), or null.
  memory* find(double token, const memory::desc& user, const memory::desc& internal);
  // A new buffer for that copy (the caller fills it), evicting old copies beyond the capacity.
  memory& insert(double token, const memory::desc& user, const memory::desc& internal);
  // 0 turns the cache off (every call reorders); shrinking evicts at once.
  void setCapacity(size_t bytes);
  size_t capacity() const { return capacity_; }
  size_t bytes() const { return bytes_; }
  size_t entries() const { return lru_.size(); }
  double hits = 0, misses = 0;

 private:
  struct Copy {
    double token;
    memory::desc user, internal;
    memory mem;
    size_t bytes;
  };
  void evictTo(size_t limit);
  std::list<Copy> lru_;  // most recently used first
  std::unordered_multimap<double, std::list<Copy>::iterator> byToken_;
  size_t capacity_ = size_t(128) << 20;
  size_t bytes_ = 0;
};

FilterCache& filterCache();

}  // namespace yoto_dnnl
