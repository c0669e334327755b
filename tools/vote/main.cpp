// dkg-vote: the voting service (docs/voting.md).
#include "commands.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    return dkg::vote::run(argc, argv, std::cout, std::cerr);
}
