/**
 * Request inputs from llhttp's own test fixtures (github.com/nodejs/llhttp, MIT licence,
 * `test/request/*.md`; each entry names its file and case). Written outside this project, they reach
 * edge cases our own generator would not think of; the fuzz test starts from them and mutates them.
 * Where a fixture has no Host header, none is added: the proxy must refuse those (400) cleanly too.
 */
export const LLHTTP_REQUESTS: string[] = [
  // connection.md — Restarting when keep-alive is explicitly
  "PUT /url HTTP/1.1\r\nConnection: keep-alive\r\n\r\nPUT /url HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
  // connection.md — CRLF between requests, implicit `keep-alive`
  "POST / HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n\r\nq=42\r\n\r\nGET / HTTP/1.1",
  // connection.md — Not treating `\r` as `-`
  "PUT /url HTTP/1.1\r\nConnection: keep\ralive\r\n\r\n",
  // connection.md — CRLF between requests, explicit `close`
  "POST / HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\nConnection: close\r\n\r\nq=42\r\n\r\nGET / HTTP/1.1",
  // connection.md — Multiple tokens with folding
  "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Something,\r\n Upgrade, ,Keep-Alive\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\nHot diggity dogg",
  // connection.md — Invalid whitespace token with `Connection` header field
  "PUT /url HTTP/1.1\r\nConnection : upgrade\r\nContent-Length: 4\r\nUpgrade: ws\r\n\r\nabcdefgh",
  // connection.md — Emitting part of body and pausing
  "PUT /url HTTP/1.1\r\nConnection: upgrade\r\nContent-Length: 4\r\nUpgrade: ws\r\n\r\nabcdefgh",
  // connection.md — Upgrade GET request
  "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\nHot diggity dogg",
  // connection.md — Upgrade POST request
  "POST /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: HTTP/2.0\r\nContent-Length: 15\r\n\r\nsweet post bodyHot diggity dogg",
  // content-length.md — `Content-Length` with zeroes
  "PUT /url HTTP/1.1\r\nContent-Length: 003\r\n\r\nabc",
  // content-length.md — Error on `Content-Length` overflow
  "PUT /url HTTP/1.1\r\nContent-Length: 1000000000000000000000\r\n",
  // content-length.md — Error on duplicate `Content-Length`
  "PUT /url HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
  // content-length.md — Error on simultaneous `Content-Length` and `Transfer-Encoding: identity`
  "PUT /url HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: identity\r\n\r\n",
  // content-length.md — Funky `Content-Length` with body
  "GET /get_funky_content_length_body_hello HTTP/1.0\r\nconTENT-Length: 5\r\n\r\nHELLO",
  // content-length.md — Spaces in `Content-Length` #2
  "POST / HTTP/1.1\r\nContent-Length: 4 2\r\n\r\n",
  // content-length.md — Empty `Content-Length`
  "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
  // content-length.md — `Content-Length` with CR instead of dash
  "PUT /url HTTP/1.1\r\nContent\rLength: 003\r\n\r\nabc",
  // content-length.md — Missing CRLF-CRLF before body
  "PUT /url HTTP/1.1\r\nContent-Length: 3\r\n\r\rabc",
  // invalid.md — Headers separated by CR
  "GET / HTTP/1.1\r\nFoo: 1\rBar: 2\r\n\r\n",
  // invalid.md — Headers separated by LF
  "POST / HTTP/1.1\r\nHost: localhost:5000\r\nx:x\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n",
  // invalid.md — Headers separated by dummy characters
  "GET / HTTP/1.1\r\nConnection: close\r\nHost: a\r\n\rZGET /evil: HTTP/1.1\r\nHost: a\r\n",
  // invalid.md — Empty headers separated by CR
  "POST / HTTP/1.1\r\nConnection: Close\r\nHost: localhost:5000\r\nx:\rTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n0\r\n",
  // invalid.md — Invalid header token #2
  "GET / HTTP/1.1\r\nFoo\u0001\test: Bar\r\n\r\n",
  // invalid.md — Illegal header field name line folding
  "GET / HTTP/1.1\r\nname\r\n : value\r\n\r\n",
  // invalid.md — Missing CR between headers
  "GET / HTTP/1.1\r\nHost: localhost\r\nDummy: x\nContent-Length: 23\r\n\r\nGET / HTTP/1.1\r\nDummy: GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n",
  // invalid.md — Spaces before headers
  "POST /hello HTTP/1.1\r\nHost: localhost\r\nFoo: bar\r\n Content-Length: 38\r\n\r\nGET /bye HTTP/1.1\r\nHost: localhost\r\n\r\n",
  // method.md — CONNECT request
  "CONNECT 0-home0.netscape.com:443 HTTP/1.0\r\nUser-agent: Mozilla/1.1N\r\nProxy-authorization: basic aGVsbG86d29ybGQ=\r\n\r\nsome data\r\nand yet even more data",
  // method.md — M-SEARCH request
  'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nST: "ssdp:all"\r\n\r\n',
  // method.md — PATCH request
  'PATCH /file.txt HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/example\r\nIf-Match: "e0023aa4e"\r\nContent-Length: 10\r\n\r\ncccccccccc',
  // method.md — PRI request HTTP2
  "PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n",
  // method.md — QUERY request
  "QUERY /contacts HTTP/1.1\r\nHost: example.org\r\nContent-Type: example/query\r\nAccept: text/csv\r\nContent-Length: 41\r\n\r\nselect surname, givenname, email limit 10",
  // pipelining.md — Should parse multiple events
  "POST /aaa HTTP/1.1\r\nContent-Length: 3\r\n\r\nAAA\r\nPUT /bbb HTTP/1.1\r\nContent-Length: 4\r\n\r\nBBBB\r\nPATCH /ccc HTTP/1.1\r\nContent-Length: 5\r\n\r\nCCCC",
  // sample.md — Prefix newline
  "\r\nGET /test HTTP/1.1\r\n\r\n",
  // sample.md — Line folding in header value with LF
  "GET / HTTP/1.1\r\nLine1:   abc\n\tdef\n ghi\n\t\tjkl\n  mno \n\t \tqrs\nLine2: \t line2\t\nLine3:\n line3\nLine4: \n \nConnection:\n close\n\n",
  // sample.md — No LF after CR
  "GET / HTTP/1.1\rLine: 1\r\n",
  // sample.md — 255 ASCII in header value
  "OPTIONS /url HTTP/1.1\r\nHeader1: Value1\r\nHeader2: \u00ffValue2\r\n\r\n",
  // transfer-encoding.md — Empty `Transfer-Encoding` with `Content-Length`
  "POST /first HTTP/1.1\r\nTransfer-Encoding:\r\nContent-Length: 5\r\n\r\nhello",
  // transfer-encoding.md — Trailing headers
  "POST /chunked_w_trailing_headers HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nVary: *\r\nContent-Type: text/plain\r\n\r\n",
  // transfer-encoding.md — Chunk extensions
  "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ilovew3;somuchlove=aretheseparametersfor;another=withvalue\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n",
  // transfer-encoding.md — No semicolon before chunk extensions
  "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nHost: localhost\r\nTransfer-encoding: chunked\r\n\r\n2 erfrferferf\r\naa\r\n0 rrrr\r\n\r\n",
  // transfer-encoding.md — No extension after semicolon
  "POST /chunked_w_unicorns_after_length HTTP/1.1\r\nHost: localhost\r\nTransfer-encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n",
  // transfer-encoding.md — POST with `chunked` before other transfer coding names
  "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: chunked, deflate\r\n\r\nWorld",
  // transfer-encoding.md — POST with `chunked` and duplicate transfer-encoding
  "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: deflate\r\n\r\nWorld",
  // transfer-encoding.md — POST with `chunked` as last transfer-encoding
  "POST /post_identity_body_world?q=search#hey HTTP/1.1\r\nAccept: */*\r\nTransfer-Encoding: deflate, chunked\r\n\r\n5\r\nWorld\r\n0\r\n\r\n",
  // transfer-encoding.md — Missing last-chunk
  "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n\r\n",
  // transfer-encoding.md — Validate chunk parameters
  "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 \n  \r\nfoo\r\n\r\n",
  // transfer-encoding.md — Chunk header not terminated by CRLF
  "GET / HTTP/1.1\r\nHost: a\r\nConnection: close \r\nTransfer-Encoding: chunked \r\n\r\n5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\nGET / HTTP/1.1 \r\nHost: a\r\nContent-Length: 5\r\n\r\n0\r\n",
  // transfer-encoding.md — Chunk data not terminated by CRLF
  "GET / HTTP/1.1\r\nHost: a\r\nConnection: close \r\nTransfer-Encoding: chunked \r\n\r\n5\r\nABCDE0\r\n",
  // uri.md — Host terminated by a query string
  "GET http://hypnotoad.org?hail=all HTTP/1.1\r\n\r\n\r\n",
  // uri.md — `host:port` and basic auth
  "GET http://a%12:b!&*$@hypnotoad.org:1234/toto HTTP/1.1\r\n\r\n",
  // uri.md — Space in URI
  "GET /foo bar/ HTTP/1.1\r\n\r\n",
];
