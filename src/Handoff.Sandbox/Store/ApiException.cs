using System.Text.Json.Nodes;

namespace Handoff.Sandbox.Store;

/// <summary>An error answered as a Kubernetes <c>v1 Status</c> with the API server's wording.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public ApiException()
        : this(500, "InternalError", "internal error")
    {
    }

    public ApiException(string message)
        : this(500, "InternalError", message)
    {
    }

    public ApiException(string message, Exception inner)
        : base(message, inner)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    private static JsonObject NameDetails(string name, string group, string kind) => new()
    {
        ["name"] = name,
        ["group"] = group,
        ["kind"] = kind,
    };

    public static ApiException NotFound(string groupResource, string group, string plural, string name) =>
        new(404, "NotFound", $"{groupResource} \"{name}\" not found", NameDetails(name, group, plural));

    public static ApiException AlreadyExists(string groupResource, string group, string plural, string name) =>
        new(409, "AlreadyExists", $"{groupResource} \"{name}\" already exists", NameDetails(name, group, plural));

    public static ApiException Conflict(string groupResource, string group, string plural, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {groupResource} \"{name}\": {detail}", NameDetails(name, group, plural));

    public static ApiException StaleConflict(string groupResource, string group, string plural, string name) =>
        Conflict(groupResource, group, plural, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(string qualifiedKind, string group, string kind, string name, IReadOnlyList<FieldCause> causes)
    {
        var details = NameDetails(name, group, kind);
        var array = new JsonArray();
        foreach (var cause in causes)
        {
            var prefix = cause.Field + ": ";
            var text = cause.Message.StartsWith(prefix, StringComparison.Ordinal) ? cause.Message[prefix.Length..] : cause.Message;
            array.Add(new JsonObject { ["reason"] = cause.Reason, ["message"] = text, ["field"] = cause.Field });
        }

        details["causes"] = array;
        var summary = causes.Count == 1 ? causes[0].Message : "[" + string.Join(", ", causes.Select(c => c.Message)) + "]";
        return new ApiException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {summary}", details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message = "the server does not allow this method on the requested resource") =>
        new(405, "MethodNotAllowed", message, new JsonObject());

    public static ApiException ResourceNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException Forbidden(string message, JsonObject? details = null) => new(403, "Forbidden", message, details);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {contentType})");
}
