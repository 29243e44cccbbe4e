using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>The outcome of checking a bearer token: the user, or why not (the TokenReview <c>status.error</c>).</summary>
internal sealed record TokenAuthentication(UserInfo? User, IReadOnlyList<string> Audiences, string? Error)
{
    public static TokenAuthentication Failed(string error) => new(null, [], error);
}

/// <summary>
/// ServiceAccount tokens as the API server issues them for the TokenRequest API (<c>serviceaccounts/token</c>, what
/// <c>kubectl create token</c> calls): JWTs signed with ES256 (an API server signs with its service-account key, RSA
/// or ECDSA; ECDSA keys are quick to make for every sandbox) with the issuer, audiences, expiry and the
/// <c>kubernetes.io</c> claim (namespace, service account name and uid, the bound object). A token authenticates
/// only while it is unexpired (one minute of leeway, as the API server allows), names one of the audiences asked for,
/// and its ServiceAccount — and bound object, if any — still exist with the uids it was issued for.
/// The signing key is made at start and lives in memory: tokens do not survive the sandbox.
/// </summary>
internal sealed class ServiceAccountTokens : IDisposable
{
    /// <summary>The issuer and default audience of a kubeadm cluster's API server.</summary>
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    public const string CredentialIdExtra = "authentication.kubernetes.io/credential-id";

    public static IReadOnlyList<string> ApiAudiences { get; } = [Issuer];

    private static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    private readonly ApiEngine _engine;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly ConcurrentDictionary<string, Claims> _verified = new(StringComparer.Ordinal);

    public ServiceAccountTokens(ApiEngine engine) => _engine = engine;

    private sealed record Claims(
        IReadOnlyList<string> Audiences, DateTimeOffset NotBefore, DateTimeOffset Expires, string Id,
        string Namespace, string ServiceAccount, string ServiceAccountUid, BoundObject? Bound);

    /// <summary>Signs a token for the ServiceAccount; returns it and its expiry.</summary>
    public (string Token, DateTimeOffset Expires) Issue(
        string ns, string serviceAccount, string serviceAccountUid, TimeSpan lifetime, IReadOnlyList<string> audiences, BoundObject? bound)
    {
        var now = _engine.Time.GetUtcNow();
        var issuedAt = now.ToUnixTimeSeconds();
        var expires = issuedAt + (long)lifetime.TotalSeconds;
        var kubernetes = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = new JsonObject { ["name"] = serviceAccount, ["uid"] = serviceAccountUid },
        };
        if (bound is not null)
        {
            kubernetes[bound.Kind.ToLowerInvariant()] = new JsonObject { ["name"] = bound.Name, ["uid"] = bound.Uid };
        }

        var payload = new JsonObject
        {
            ["aud"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]),
            ["exp"] = expires,
            ["iat"] = issuedAt,
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = kubernetes,
            ["nbf"] = issuedAt,
            ["sub"] = UserInfo.ServiceAccountName(ns, serviceAccount),
        };
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = _keyId };
        var signingInput = Base64Url.EncodeToString(JsonNodes.ToBytes(header)) + "." + Base64Url.EncodeToString(JsonNodes.ToBytes(payload));
        // JWS wants the raw r||s form, which is .NET's default for ECDSA.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return (signingInput + "." + Base64Url.EncodeToString(signature), DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>
    /// Checks a token for one of <paramref name="audiences"/>. Null when it is not a token of this issuer at all
    /// (another authenticator may know it); otherwise the user or the reason it is refused.
    /// </summary>
    public TokenAuthentication? Authenticate(string token, IReadOnlyList<string> audiences)
    {
        if (!_verified.TryGetValue(token, out var claims))
        {
            claims = Verify(token);
            if (claims is null)
            {
                return null;
            }

            if (_verified.Count > 10_000)
            {
                _verified.Clear();
            }

            _verified[token] = claims;
        }

        var now = _engine.Time.GetUtcNow();
        if (now > claims.Expires + Leeway)
        {
            return TokenAuthentication.Failed("service account token has expired");
        }

        if (now < claims.NotBefore - Leeway)
        {
            return TokenAuthentication.Failed("service account token is not valid yet");
        }

        var matching = audiences.Where(claims.Audiences.Contains).ToList();
        if (matching.Count == 0)
        {
            return TokenAuthentication.Failed(
                $"token audiences [{string.Join(" ", claims.Audiences.Select(Quote))}] is invalid for the target audiences [{string.Join(" ", audiences.Select(Quote))}]");
        }

        // The service account (and bound object) must still be the one the token was issued for; the texts are the API server's.
        var account = _engine.TryGet(_engine.Builtin("", "serviceaccounts"), claims.Namespace, claims.ServiceAccount);
        if (account is null)
        {
            return TokenAuthentication.Failed($"serviceaccounts \"{claims.ServiceAccount}\" not found");
        }

        if (ObjectMeta.IsDeleting(account.Node))
        {
            return TokenAuthentication.Failed($"service account {claims.Namespace}/{claims.ServiceAccount} has been deleted");
        }

        if (account.Uid != claims.ServiceAccountUid)
        {
            return TokenAuthentication.Failed($"service account UID ({account.Uid}) does not match claim ({claims.ServiceAccountUid})");
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [CredentialIdExtra] = ["JTI=" + claims.Id] };
        if (claims.Bound is { } bound)
        {
            var resource = bound.Kind.ToLowerInvariant() + "s";
            if (BoundObjectFor(bound, claims.Namespace) is not { } obj)
            {
                return TokenAuthentication.Failed($"{resource} \"{bound.Name}\" not found");
            }

            if (obj.Uid != bound.Uid)
            {
                return TokenAuthentication.Failed($"{bound.Kind.ToLowerInvariant()} UID ({obj.Uid}) does not match claim ({bound.Uid})");
            }

            if (bound.Kind is "Pod" or "Node")
            {
                var prefix = "authentication.kubernetes.io/" + bound.Kind.ToLowerInvariant();
                extra[prefix + "-name"] = [bound.Name];
                extra[prefix + "-uid"] = [bound.Uid];
            }
        }

        return new TokenAuthentication(UserInfo.ServiceAccount(claims.Namespace, claims.ServiceAccount, claims.ServiceAccountUid, extra), matching, null);
    }

    /// <summary>The object a token may be bound to: a Pod or Secret of the ServiceAccount's namespace, or a Node.</summary>
    public StoredObject? BoundObjectFor(BoundObject bound, string ns) => bound.Kind switch
    {
        "Pod" => _engine.TryGet(_engine.Builtin("", "pods"), ns, bound.Name),
        "Secret" => _engine.TryGet(_engine.Builtin("", "secrets"), ns, bound.Name),
        "Node" => _engine.TryGet(_engine.Builtin("", "nodes"), null, bound.Name),
        _ => null,
    };

    /// <summary>The claims of a well-formed token signed by this sandbox; null otherwise.</summary>
    private Claims? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNodes.ParseObject(Base64Url.DecodeFromChars(parts[0]));
            if (JsonNodes.GetString(header, "alg") != "ES256" || JsonNodes.GetString(header, "kid") != _keyId)
            {
                return null;
            }

            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!_key.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256))
            {
                return null;
            }

            var payload = JsonNodes.ParseObject(Base64Url.DecodeFromChars(parts[1]));
            if (JsonNodes.GetString(payload, "iss") != Issuer || payload["kubernetes.io"] is not JsonObject kubernetes)
            {
                return null;
            }

            BoundObject? bound = null;
            foreach (var kind in new[] { "Pod", "Secret", "Node" })
            {
                if (kubernetes[kind.ToLowerInvariant()] is JsonObject reference)
                {
                    bound = new BoundObject(kind, "v1", JsonNodes.GetString(reference, "name") ?? "", JsonNodes.GetString(reference, "uid") ?? "");
                }
            }

            return new Claims(
                payload["aud"] is JsonArray aud ? [.. aud.Select(JsonNodes.ScalarText)] : [],
                DateTimeOffset.FromUnixTimeSeconds(JsonNodes.Int64(payload["nbf"]) ?? 0),
                DateTimeOffset.FromUnixTimeSeconds(JsonNodes.Int64(payload["exp"]) ?? 0),
                JsonNodes.GetString(payload, "jti") ?? "",
                JsonNodes.ScalarText(kubernetes["namespace"]),
                JsonNodes.ScalarText(JsonNodes.At(kubernetes, "serviceaccount", "name")),
                JsonNodes.ScalarText(JsonNodes.At(kubernetes, "serviceaccount", "uid")),
                bound);
        }
        catch (Exception e) when (e is FormatException or JsonException or CryptographicException)
        {
            return null;
        }
    }

    private static string Quote(string s) => "\"" + s + "\"";

    public void Dispose() => _key.Dispose();
}
