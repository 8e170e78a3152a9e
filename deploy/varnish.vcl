vcl 4.1;
# Varnish in front of Broadsheet API processes. Public GETs are cached for a day and dropped
# by surrogate key the moment a write commits: each API process sends
#   PURGE /  with  Surrogate-Key: posts post-42 categories …
# (set PURGE_URL=http://<varnish>/ on the API). Authenticated requests are never cached.
# Replace the backend addresses and ports with yours (the tests fill in the ports).

import directors;

backend api1 { .host = "127.0.0.1"; .port = "BACKEND_1_PORT"; }
backend api2 { .host = "127.0.0.1"; .port = "BACKEND_2_PORT"; }

acl purgers {
  "127.0.0.1";
  "::1";
}

sub vcl_init {
  new api = directors.round_robin();
  api.add_backend(api1);
  api.add_backend(api2);
}

sub vcl_recv {
  set req.backend_hint = api.backend();
  if (req.method == "PURGE") {
    if (client.ip !~ purgers) {
      return (synth(405, "Purging is not allowed from this address"));
    }
    if (!req.http.Surrogate-Key) {
      return (synth(400, "A Surrogate-Key header is required"));
    }
    # Keys are [a-z0-9-] words separated by spaces: ban every object carrying any of them.
    ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.Surrogate-Key, "\s+", "|") + ")(\s|$)");
    return (synth(200, "Purged"));
  }
  if (req.method != "GET" && req.method != "HEAD") {
    return (pass);
  }
  if (req.http.Authorization) {
    return (pass);
  }
  return (hash);
}

sub vcl_backend_response {
  if (beresp.status == 200 && beresp.http.Surrogate-Key) {
    # Fresh until a write purges it; grace serves the old copy while a new one is fetched.
    set beresp.ttl = 1d;
    set beresp.grace = 1h;
  }
}

sub vcl_deliver {
  if (obj.hits > 0) {
    set resp.http.X-Varnish-Cache = "HIT";
  } else {
    set resp.http.X-Varnish-Cache = "MISS";
  }
}
