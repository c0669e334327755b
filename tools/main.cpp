// The dkg command-line tool (docs/cli.md).
#include <cli/cli.hpp>

#include <iostream>

int main(int argc, char** argv)
{
    return dkg::cli::run(argc, argv, std::cout, std::cerr);
}
