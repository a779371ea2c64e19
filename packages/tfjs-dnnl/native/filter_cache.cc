#include "filter_cache.h"

namespace yoto_dnnl {

memory* FilterCache::find(double token, const memory::desc& user, const memory::desc& internal) {
  auto range = byToken_.equal_range(token);
  for (auto it = range.first; it != range.second; ++it) {
    auto copy = it->second;
    // The user layout is compared too: a reshape shares its data id (and token) with another shape.
    if (copy->user == user && copy->internal == internal) {
      lru_.splice(lru_.begin(), lru_, copy);
      hits++;
      return &copy->mem;
    }
  }
  misses++;
  return nullptr;
}

memory& FilterCache::insert(double token, const memory::desc& user, const memory::desc& internal) {
  size_t size = internal.get_size();
  evictTo(capacity_ > size ? capacity_ - size : 0);
  lru_.push_front(Copy{token, user, internal, memory(internal, cpu()), size});
  byToken_.emplace(token, lru_.begin());
  bytes_ += size;
  return lru_.front().mem;
}

void FilterCache::setCapacity(size_t bytes) {
  capacity_ = bytes;
  evictTo(bytes);
}

void FilterCache::evictTo(size_t limit) {
  while (bytes_ > limit && !lru_.empty()) {
    auto last = std::prev(lru_.end());
    auto range = byToken_.equal_range(last->token);
    for (auto it = range.first; it != range.second; ++it)
      if (it->second == last) {
        byToken_.erase(it);
        break;
      }
    bytes_ -= last->bytes;
    lru_.erase(last);
  }
}

FilterCache& filterCache() {
  static FilterCache cache;
  return cache;
}

}  // namespace yoto_dnnl
