// A small pool of threads for the CPU backend. Waiting threads sleep on a
// condition variable instead of spinning, so a busy machine (or the studio's
// UI thread) is not robbed of a core between passes; the caller takes a share
// of every job itself.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bd3 {

class ThreadPool {
public:
    explicit ThreadPool(unsigned threads = std::thread::hardware_concurrency());
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    unsigned size() const { return static_cast<unsigned>(m_workers.size()) + 1; }
    // Runs work(begin, end) over [0, count) cut into at most size() contiguous
    // ranges of at least `grain` items, and returns when all are done.
    void parallelFor(int64_t count, int64_t grain, const std::function<void(int64_t, int64_t)>& work);

private:
    void workerLoop(unsigned index);

    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    const std::function<void(int64_t, int64_t)>* m_work = nullptr;
    std::vector<std::pair<int64_t, int64_t>> m_ranges; // one per worker, empty when idle
    uint64_t m_generation = 0;
    unsigned m_pending = 0;
    bool m_stopping = false;
};

} // namespace bd3
