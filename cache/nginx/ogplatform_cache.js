// njs helper for cache/nginx/ogplatform.conf: the request URI with its query parameters sorted
// by name, so ?title=a&template=b and ?template=b&title=a are one cache object (the same job
// std.querysort does in the Varnish VCL). Repeated names keep their relative order, empty
// parameters ("a=1&&b=2", a trailing "?") are dropped; nothing is decoded or re-encoded.

function sortedUri(r) {
    var raw = r.variables.request_uri;
    var q = raw.indexOf('?');
    if (q < 0) {
        return raw;
    }
    var params = raw.slice(q + 1).split('&').filter(function (p) { return p.length > 0; });
    if (params.length === 0) {
        return raw.slice(0, q);
    }
    var keyed = params.map(function (p, i) {
        var eq = p.indexOf('=');
        return [eq < 0 ? p : p.slice(0, eq), i, p];
    });
    keyed.sort(function (a, b) {
        if (a[0] < b[0]) { return -1; }
        if (a[0] > b[0]) { return 1; }
        return a[1] - b[1];
    });
    return raw.slice(0, q) + '?' + keyed.map(function (k) { return k[2]; }).join('&');
}

export default { sortedUri };
