// The message of the bd3::Error a piece of test code must throw.
#pragma once

#include "bd3/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bd3::test {

// Runs fn, which must throw bd3::Error, and returns the error's message.
template <typename Fn>
std::string errorMessage(Fn&& fn)
{
    try {
        fn();
    } catch (const Error& error) {
        return error.what();
    }
    ADD_FAILURE() << "expected a bd3::Error";
    return {};
}

} // namespace bd3::test
