"""Enterprise implementation plans (制定本单位实施方案, policy 实施步骤): each enterprise uploads its plan,
SASAC (the leading-group office) approves it or returns it with comments, every version is kept."""
