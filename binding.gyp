# node-gyp build of strom_native.node (what `npm install` / `npm ci` run via the "install"
# script). The source list lives once, in native/sources.txt; CMakeLists.txt reads it too.
{
  'targets': [
    {
      'target_name': 'strom_native',
      'sources': [ '<!@(node native/print-sources.mjs)' ],
      'include_dirs': [
        'native',
        "<!(node -p \"require('node-addon-api').include_dir\")",
      ],
      'defines': [
        'NAPI_VERSION=9',
        'NAPI_CPP_EXCEPTIONS',
        # Backstop only: every binding already turns every C++ exception into a JS error
        # (native/napi/error_translation.h); this makes a forgotten one a plain Error, not an
        # abort. Must match CMakeLists.txt.
        'NODE_ADDON_API_CPP_EXCEPTIONS_ALL',
        'NODE_ADDON_API_DISABLE_DEPRECATED',
      ],
      'cflags!': [ '-fno-exceptions' ],
      'cflags_cc!': [ '-fno-exceptions', '-fno-rtti', '-std=gnu++17', '-std=gnu++14', '-std=c++17' ],
      'cflags_cc': [ '-std=c++20', '-O3', '-fexceptions', '-Wall', '-Wextra' ],
      'xcode_settings': {
        'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
        'CLANG_CXX_LANGUAGE_STANDARD': 'c++20',
        'GCC_OPTIMIZATION_LEVEL': '3',
      },
      'msvs_settings': {
        'VCCLCompilerTool': { 'ExceptionHandling': 1, 'AdditionalOptions': [ '/std:c++20' ] },
      },
    },
  ],
}
