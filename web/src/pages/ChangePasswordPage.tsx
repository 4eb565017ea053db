import { useNavigate } from 'react-router';
import { homeFor } from '../app/guards';
import { auth, useAuth } from '../auth/session';
import { PageHeader } from '../ui/PageHeader';
import { showToast } from '../ui/toasts';
import { PasswordChangeForm } from './PasswordChangeForm';

export function ChangePasswordPage() {
  const { user, mustChangePassword } = useAuth();
  const navigate = useNavigate();
  if (!user) return null;
  const temporary = mustChangePassword || user.is_temporary_password;
  return (
    <div className="narrow">
      <PageHeader title="Change your password" />
      {temporary ? (
        <div className="alert alert-info" role="status">
          Your password is temporary. Choose a new one to continue.
        </div>
      ) : null}
      <div className="card">
        <PasswordChangeForm
          requireCurrent={!temporary}
          onDone={() => {
            auth.updateUser({ ...user, is_temporary_password: false });
            auth.requirePasswordChange(false);
            showToast({ title: 'Password changed', tone: 'success' });
            navigate(homeFor(user.role), { replace: true });
          }}
        />
      </div>
    </div>
  );
}
