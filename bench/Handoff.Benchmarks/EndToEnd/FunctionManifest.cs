using System.Globalization;

namespace Handoff.Benchmarks.EndToEnd;

/// <summary>The benchmarks' HandoffFunction: 1 cpu, 1000 memory, a busybox template, no args.</summary>
public static class FunctionManifest
{
    /// <summary>How long a finished function is kept (<c>spec.ttlSecondsAfterFinished</c>) in the runs that finish work.</summary>
    public const int TtlSecondsAfterFinished = 5;

    public static string Name(int i) => "f-" + i.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>
    /// The function's JSON. With <paramref name="collectFinished"/> it asks for its finished work to be collected, as a
    /// long-running user would: its pod deleted once it has its outcome (<c>podGC: OnCompletion</c>) and the function
    /// itself <see cref="TtlSecondsAfterFinished"/> after it finished.
    /// </summary>
    public static string Json(string name, string ns, bool collectFinished = false) =>
        "{\"apiVersion\":\"handoff.dev/v1alpha1\",\"kind\":\"HandoffFunction\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns +
        "\"},\"spec\":{\"cost\":{\"cpu\":\"1\",\"memory\":\"1000\"}," +
        (collectFinished
            ? "\"podGC\":\"OnCompletion\",\"ttlSecondsAfterFinished\":" + TtlSecondsAfterFinished.ToString(CultureInfo.InvariantCulture) + ","
            : "") +
        "\"template\":{\"spec\":{\"containers\":[" +
        "{\"name\":\"main\",\"image\":\"busybox:1.36\",\"command\":[\"sh\",\"-c\",\"echo 42 > /dev/termination-log\"]}]}}}}";
}
