using System;
using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;

namespace Altimeter.Auth;

/// <summary>
/// One answer of the credentials endpoint: a status and a JSON body, sent as a whole HTTP/1.1
/// response that closes the connection.
/// </summary>
internal readonly struct HttpAnswer
{
    public HttpAnswer(int status, string body)
    {
        Status = status;
        Body = body;
    }

    public int Status { get; }

    public string Body { get; }

    /// <summary>An answer without keys: the body is <c>{"Code":…,"Message":…}</c>.</summary>
    public static HttpAnswer Error(int status, string code, string message) =>
        new(status, new JObject { ["Code"] = code, ["Message"] = message }.ToString(Newtonsoft.Json.Formatting.None));

    public byte[] ToBytes()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(Status)).Append("\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Cache-Control: no-store\r\n")
            // One request per connection: SDKs fetch rarely, and the endpoint keeps no idle sockets.
            .Append("Connection: close\r\n");
        if (Status == 405)
        {
            head.Append("Allow: GET\r\n");
        }

        head.Append("\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        var all = new byte[headBytes.Length + body.Length];
        Buffer.BlockCopy(headBytes, 0, all, 0, headBytes.Length);
        Buffer.BlockCopy(body, 0, all, headBytes.Length, body.Length);
        return all;
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        _ => "Internal Server Error",
    };
}
