#define BOOST_TEST_MODULE dkg
#include <boost/test/unit_test.hpp>
