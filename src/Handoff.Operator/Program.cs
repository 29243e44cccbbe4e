using System.CommandLine.Invocation;
using Handoff.Operator;

var parsed = OperatorOptionsBinder.Parse(args);
if (parsed.Action is not (null or ParseErrorAction))
{
    // --help or --version: printed to stdout, exit 0.
    return await parsed.InvokeAsync();
}

try
{
    var options = OperatorOptionsBinder.Bind(parsed, Environment.GetEnvironmentVariable);
    await using var host = await OperatorHost.StartAsync(options, OperatorHost.LoadKubeConfig(options));
    await host.WaitForShutdownAsync();
    return 0;
}
catch (OperatorOptionsException ex)
{
    await Console.Error.WriteLineAsync("error: " + ex.Message.Replace("\n", "\nerror: ", StringComparison.Ordinal));
    await Console.Error.WriteLineAsync();
    await Console.Error.WriteAsync(OperatorOptionsBinder.Usage);
    return 2;
}
catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException)
{
    await Console.Error.WriteLineAsync("error: cannot start the operator: " + ex.Message);
    return 1;
}
