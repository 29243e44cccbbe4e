using System.Text.Json.Nodes;
using Handoff.Sandbox.Auth;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Http;

/// <summary>
/// The authentication and authorization APIs: TokenRequest (<c>serviceaccounts/token</c>), TokenReview,
/// SelfSubjectReview, SubjectAccessReview, SelfSubjectAccessReview, LocalSubjectAccessReview and
/// SelfSubjectRulesReview, answered by the sandbox's token issuer and authorizer.
/// </summary>
internal sealed class AuthEndpoints(ApiEngine engine, SandboxSecurity security)
{
    private const string AuthenticationGroup = "authentication.k8s.io";
    private const long DefaultExpirationSeconds = 3600;
    private const long MinExpirationSeconds = 600;
    private const long MaxExpirationSeconds = 1L << 32;

    /// <summary>
    /// TokenRequest: a token for the ServiceAccount (which must exist), for the requested audiences (default: the API
    /// server's) and lifetime (default 1 h, at least 10 min), optionally bound to a Pod, Secret or Node.
    /// </summary>
    public JsonObject RequestToken(string ns, string serviceAccount, JsonObject body)
    {
        var meta = body["metadata"] as JsonObject;
        if (JsonNodes.GetString(meta, "name") is { Length: > 0 } bodyName && bodyName != serviceAccount)
        {
            throw InvalidTokenRequest(serviceAccount, FieldCause.Invalid("metadata.name", FieldCause.Quote(bodyName), "must match the service account name if specified"));
        }

        if (JsonNodes.GetString(meta, "namespace") is { Length: > 0 } bodyNs && bodyNs != ns)
        {
            throw InvalidTokenRequest(serviceAccount, FieldCause.Invalid("metadata.namespace", FieldCause.Quote(bodyNs), "must match the service account namespace if specified"));
        }

        var account = engine.Get(engine.Builtin("", "serviceaccounts"), ns, serviceAccount);
        var spec = body["spec"] as JsonObject ?? [];
        IReadOnlyList<string> audiences = spec["audiences"] is JsonArray { Count: > 0 } list ? [.. list.Select(JsonNodes.ScalarText)] : ServiceAccountTokens.ApiAudiences;
        var seconds = JsonNodes.Int64(spec["expirationSeconds"]) ?? DefaultExpirationSeconds;
        if (seconds < MinExpirationSeconds)
        {
            throw InvalidTokenRequest("", FieldCause.Invalid("spec.expirationSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "may not specify a duration less than 10 minutes"));
        }

        if (seconds > MaxExpirationSeconds)
        {
            throw InvalidTokenRequest("", FieldCause.Invalid("spec.expirationSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "may not specify a duration larger than 2^32 seconds"));
        }

        var bound = spec["boundObjectRef"] is JsonObject reference ? Bind(ns, serviceAccount, reference) : null;
        var (token, expires) = security.Tokens.Issue(ns, serviceAccount, account.Uid, TimeSpan.FromSeconds(seconds), audiences, bound);
        var answerSpec = new JsonObject { ["audiences"] = Strings(audiences), ["expirationSeconds"] = seconds };
        if (bound is not null)
        {
            answerSpec["boundObjectRef"] = new JsonObject { ["kind"] = bound.Kind, ["apiVersion"] = bound.ApiVersion, ["name"] = bound.Name, ["uid"] = bound.Uid };
        }

        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = AuthenticationGroup + "/v1",
            ["metadata"] = new JsonObject { ["name"] = serviceAccount, ["namespace"] = ns, ["creationTimestamp"] = engine.Now() },
            ["spec"] = answerSpec,
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = KubeTime.Timestamp(expires) },
        };
    }

    /// <summary>Answers a review (its <c>status</c> filled in) made by <paramref name="requester"/>.</summary>
    public JsonObject Review(ResourceType t, string? ns, JsonObject body, UserInfo requester)
    {
        var spec = body["spec"] as JsonObject ?? [];
        var status = t.Kind switch
        {
            "TokenReview" => TokenReview(spec),
            "SelfSubjectReview" => new JsonObject { ["userInfo"] = UserJson(requester) },
            "SubjectAccessReview" => AccessReview(t, spec, SpecUser(t, spec), ""),
            "LocalSubjectAccessReview" => AccessReview(t, spec, SpecUser(t, spec), ns!),
            "SelfSubjectAccessReview" => AccessReview(t, spec, requester, ""),
            "SelfSubjectRulesReview" => RulesReview(spec, requester),
            _ => throw ApiException.MethodNotAllowed(),
        };
        body["apiVersion"] = t.ApiVersion;
        body["kind"] = t.Kind;
        var meta = JsonNodes.Metadata(body);
        meta["creationTimestamp"] = null;
        if (ns is not null)
        {
            meta["namespace"] = ns;
        }

        body["status"] = status;
        return body;
    }

    private JsonObject TokenReview(JsonObject spec)
    {
        var token = JsonNodes.GetString(spec, "token");
        if (string.IsNullOrEmpty(token))
        {
            throw ApiException.BadRequest("token is required for TokenReview in authentication");
        }

        IReadOnlyList<string>? audiences = spec["audiences"] is JsonArray { Count: > 0 } list ? [.. list.Select(JsonNodes.ScalarText)] : null;
        var result = security.Authenticate(token, audiences);
        return result.User is { } user
            ? new JsonObject { ["authenticated"] = true, ["user"] = UserJson(user), ["audiences"] = Strings(result.Audiences) }
            : new JsonObject { ["user"] = new JsonObject(), ["error"] = "[invalid bearer token, " + result.Error + "]" };
    }

    private JsonObject AccessReview(ResourceType t, JsonObject spec, UserInfo user, string ns)
    {
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        var causes = new List<FieldCause>();
        if (resource is not null && nonResource is not null)
        {
            causes.Add(FieldCause.Invalid("spec.nonResourceAttributes", "{...}", "cannot be specified in combination with resourceAttributes"));
        }

        if (resource is null && nonResource is null)
        {
            causes.Add(FieldCause.Invalid("spec.resourceAttributes", "\"null\"", "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }

        if (t.Kind is not "SelfSubjectAccessReview" && user.Name.Length == 0 && user.Groups.Count == 0)
        {
            causes.Add(FieldCause.Invalid("spec.user", "\"\"", "at least one of user or group must be specified"));
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, "", causes);
        }

        RequestAttributes request;
        if (resource is not null)
        {
            var resourceNs = JsonNodes.GetString(resource, "namespace") ?? "";
            if (t.Kind == "LocalSubjectAccessReview")
            {
                if (resourceNs.Length > 0 && resourceNs != ns)
                {
                    throw ApiException.BadRequest($"spec.resourceAttributes.namespace must match namespace: {ns}");
                }

                resourceNs = ns;
            }

            request = new RequestAttributes
            {
                User = user,
                Verb = JsonNodes.GetString(resource, "verb") ?? "",
                IsResourceRequest = true,
                ApiGroup = JsonNodes.GetString(resource, "group") ?? "",
                ApiVersion = JsonNodes.GetString(resource, "version") ?? "",
                Resource = JsonNodes.GetString(resource, "resource") ?? "",
                Subresource = JsonNodes.GetString(resource, "subresource") ?? "",
                Namespace = resourceNs,
                Name = JsonNodes.GetString(resource, "name") ?? "",
            };
        }
        else
        {
            request = new RequestAttributes { User = user, Verb = JsonNodes.GetString(nonResource, "verb") ?? "", Path = JsonNodes.GetString(nonResource, "path") ?? "" };
        }

        var decision = security.Authorize(request, "review");
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }

        return status;
    }

    private JsonObject RulesReview(JsonObject spec, UserInfo user)
    {
        var ns = JsonNodes.GetString(spec, "namespace") ?? "";
        if (ns.Length == 0)
        {
            throw ApiException.BadRequest("no namespace on request");
        }

        List<PolicyRule> rules;
        List<string> errors;
        if (!security.Enforced)
        {
            rules = [new PolicyRule(["*"], ["*"], ["*"], [], []), new PolicyRule(["*"], [], [], [], ["*"])];
            errors = [];
        }
        else
        {
            (rules, errors) = security.Rbac.RulesFor(user, ns);
        }

        var status = new JsonObject
        {
            ["resourceRules"] = new JsonArray([.. rules.Where(r => r.NonResourceUrls.Count == 0).Select(r => (JsonNode)r.ToReviewJson())]),
            ["nonResourceRules"] = new JsonArray([.. rules.Where(r => r.NonResourceUrls.Count > 0).Select(r => (JsonNode)r.ToReviewJson())]),
            ["incomplete"] = errors.Count > 0,
        };
        if (errors.Count > 0)
        {
            status["evaluationError"] = errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";
        }

        return status;
    }

    private static UserInfo SpecUser(ResourceType t, JsonObject spec)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (spec["extra"] is JsonObject extras)
        {
            foreach (var (key, values) in extras)
            {
                extra[key] = values is JsonArray a ? [.. a.Select(JsonNodes.ScalarText)] : [];
            }
        }

        return new UserInfo(
            JsonNodes.GetString(spec, "user") ?? "",
            JsonNodes.GetString(spec, "uid") ?? "",
            spec["groups"] is JsonArray groups ? [.. groups.Select(JsonNodes.ScalarText)] : [],
            extra);
    }

    private BoundObject Bind(string ns, string serviceAccount, JsonObject reference)
    {
        var kind = JsonNodes.GetString(reference, "kind") ?? "";
        var apiVersion = JsonNodes.GetString(reference, "apiVersion") ?? "";
        var name = JsonNodes.GetString(reference, "name") ?? "";
        var uid = JsonNodes.GetString(reference, "uid") ?? "";
        var requested = new BoundObject(kind, apiVersion, name, uid);
        var slash = apiVersion.LastIndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        if (group.Length > 0 || kind is not ("Pod" or "Secret" or "Node"))
        {
            throw ApiException.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={kind}");
        }

        var plural = kind.ToLowerInvariant() + "s";
        var obj = security.Tokens.BoundObjectFor(requested, ns) ?? throw ApiException.NotFound(plural, "", plural, name);
        if (kind == "Pod" && JsonNodes.ScalarText(JsonNodes.At(obj.Node, "spec", "serviceAccountName")) != serviceAccount)
        {
            throw ApiException.BadRequest($"cannot bind token for serviceaccount \"{serviceAccount}\" to pod running with different serviceaccount name.");
        }

        if (uid.Length > 0 && uid != obj.Uid)
        {
            throw ApiException.Conflict(kind, "", kind, name,
                $"the UID in the bound object reference ({uid}) does not match the UID in record. The object might have been deleted and then recreated");
        }

        return requested with { Uid = obj.Uid };
    }

    private static ApiException InvalidTokenRequest(string name, FieldCause cause) =>
        ApiException.Invalid("TokenRequest." + AuthenticationGroup, AuthenticationGroup, "TokenRequest", name, [cause]);

    private static JsonObject UserJson(UserInfo user)
    {
        var json = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0)
        {
            json["uid"] = user.Uid;
        }

        json["groups"] = Strings(user.Groups);
        if (user.Extra.Count > 0)
        {
            json["extra"] = new JsonObject(user.Extra.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)Strings(e.Value))));
        }

        return json;
    }

    private static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)i)]);
}
