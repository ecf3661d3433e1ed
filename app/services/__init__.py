"""Operations that span several tables, each one transaction: join, autosave, submit, finish."""
