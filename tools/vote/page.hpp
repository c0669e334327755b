// The ballot box's web page (page/*.html, .js, .css), embedded in the program when it is built.
#pragma once

#include <string_view>
#include <vector>

namespace dkg::vote {

/// One file of the page.
struct page_file {
    std::string_view name;    ///< "index.html", "app.js", "style.css"
    std::string_view content;
};

/// The page's files.
const std::vector<page_file>& page_files();

} // namespace dkg::vote
