namespace Altimeter.Auth;

/// <summary>What GetCallerIdentity answered: the account and the ARN of the caller.</summary>
internal sealed class CallerIdentity
{
    /// <summary>Creates the answer.</summary>
    public CallerIdentity(string account, string arn)
    {
        Account = account;
        Arn = arn;
    }

    /// <summary>The 12-digit account the credentials belong to.</summary>
    public string Account { get; }

    /// <summary>The caller's ARN: for role credentials <c>arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION</c>.</summary>
    public string Arn { get; }

    /// <summary>The ARN: it names account, role and session, and no secret.</summary>
    public override string ToString() => Arn;
}
