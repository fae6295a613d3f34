#include "cpu/thread_pool.hpp"

#include <algorithm>
#include <utility>

namespace bd3 {

ThreadPool::ThreadPool(unsigned threads)
{
    const unsigned workers = std::max(threads, 1U) - 1;
    m_ranges.resize(workers);
    for (unsigned i = 0; i < workers; ++i) m_workers.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool()
{
    {
        const std::scoped_lock lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread& worker : m_workers) worker.join();
}

void ThreadPool::parallelFor(int64_t count, int64_t grain, const std::function<void(int64_t, int64_t)>& work)
{
    if (count <= 0) return;
    const auto parts =
        static_cast<int64_t>(std::clamp<int64_t>(count / std::max<int64_t>(grain, 1), 1, static_cast<int64_t>(size())));
    if (parts == 1) {
        work(0, count);
        return;
    }
    const int64_t step = (count + parts - 1) / parts;
    {
        const std::scoped_lock lock(m_mutex);
        m_work = &work;
        m_pending = 0;
        for (int64_t p = 1; p < parts; ++p) {
            m_ranges[static_cast<size_t>(p - 1)] = {p * step, std::min(count, (p + 1) * step)};
            ++m_pending;
        }
        ++m_generation;
    }
    m_wake.notify_all();
    work(0, std::min(count, step));
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [this] { return m_pending == 0; });
    m_work = nullptr;
}

void ThreadPool::workerLoop(unsigned index)
{
    uint64_t seen = 0;
    for (;;) {
        std::pair<int64_t, int64_t> range;
        const std::function<void(int64_t, int64_t)>* work = nullptr;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || m_generation != seen; });
            if (m_stopping) return;
            seen = m_generation;
            range = std::exchange(m_ranges[index], {0, 0});
            work = m_work;
        }
        if (range.second <= range.first) continue;
        (*work)(range.first, range.second);
        {
            const std::scoped_lock lock(m_mutex);
            --m_pending;
        }
        m_done.notify_one();
    }
}

} // namespace bd3
