# Writes the bash completion of dkg: cmake -DDKG=<dkg executable> -DOUTPUT=<file> -P write_completion.cmake
get_filename_component(output_dir ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${output_dir})
execute_process(COMMAND ${DKG} completion bash OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "${DKG} completion bash failed: ${status}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
