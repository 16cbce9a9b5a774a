// The digits training comparison; TrainingApp.Run does the work.
return Training.TrainingApp.Run(args);
