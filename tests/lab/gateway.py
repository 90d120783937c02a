"""A stand-in for the Kubeflow istio-ingressgateway, served on loopback.

kwok's ClusterPortForward sends port-forwards to pods in istio-system here, so
`kubectl port-forward svc/istio-ingressgateway 8080:80 -n istio-system` behaves like
a real Kubeflow install that is not logged in: every path answers 302 to Dex.

Run as `python -m tests.lab.gateway --port N`.
"""

from __future__ import annotations

import argparse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

DEX_LOCATION = (
    "/dex/auth?client_id=kubeflow-oidc-authservice&redirect_uri="
    + quote("/oauth2/callback", safe="")
    + "&response_type=code&scope=openid+profile+email+groups&state=kftui-lab"
)


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "istio-envoy"

    def _redirect(self) -> None:
        body = b'<a href="' + DEX_LOCATION.encode() + b'">Found</a>.\n'
        self.send_response(302, "Found")
        self.send_header("Location", DEX_LOCATION)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-envoy-upstream-service-time", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = _redirect

    def log_message(self, format: str, *args: object) -> None:
        print(f"{self.address_string()} {format % args}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), GatewayHandler)
    print(f"gateway stand-in listening on 127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
